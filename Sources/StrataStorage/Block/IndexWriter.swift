import StrataCodec

/// Encodes a block index (docs/format/block.md, "Index").
enum IndexWriter {
    static func encode(labels: [Labels], chunks: [[BlockChunkMeta]]) -> [UInt8] {
        // Symbols.
        var symbolSet = Set<String>()
        for ls in labels { for l in ls { symbolSet.insert(l.name); symbolSet.insert(l.value) } }
        let symbols = symbolSet.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        var symbolIndex: [String: Int] = [:]
        symbolIndex.reserveCapacity(symbols.count)
        for (i, s) in symbols.enumerated() { symbolIndex[s] = i }

        var symBytes: [UInt8] = []
        symBytes.appendUVarint(UInt64(symbols.count))
        for s in symbols { symBytes.appendString(s) }

        // Series.
        var seriesBytes: [UInt8] = []
        seriesBytes.appendUVarint(UInt64(labels.count))
        var postings: [Int: [Int: [UInt32]]] = [:]   // name sym → value sym → ids
        for (id, ls) in labels.enumerated() {
            seriesBytes.appendUVarint(UInt64(ls.count))
            for l in ls {
                let n = symbolIndex[l.name]!, v = symbolIndex[l.value]!
                seriesBytes.appendUVarint(UInt64(n))
                seriesBytes.appendUVarint(UInt64(v))
                postings[n, default: [:]][v, default: []].append(UInt32(id))
            }
            let cs = chunks[id]
            seriesBytes.appendUVarint(UInt64(cs.count))
            var prevMax: Int64? = nil
            for c in cs {
                seriesBytes.appendVarint(prevMax.map { c.minTime &- $0 } ?? c.minTime)
                seriesBytes.appendUVarint(UInt64(bitPattern: c.maxTime &- c.minTime))
                seriesBytes.appendUVarint(UInt64(c.samples))
                seriesBytes.appendUVarint(c.timestampsRef)
                seriesBytes.appendUVarint(c.valuesRef)
                prevMax = c.maxTime
            }
        }

        // Postings, sorted by (name, value): symbol order is string order.
        var postingBytes: [UInt8] = []
        var entries = 0
        for (_, vals) in postings { entries += vals.count }
        postingBytes.appendUVarint(UInt64(entries))
        for n in postings.keys.sorted() {
            let vals = postings[n]!
            for v in vals.keys.sorted() {
                let ids = vals[v]!
                postingBytes.appendUVarint(UInt64(n))
                postingBytes.appendUVarint(UInt64(v))
                postingBytes.appendUVarint(UInt64(ids.count))
                var prev: UInt32 = 0
                for id in ids {
                    postingBytes.appendUVarint(UInt64(id - prev))
                    prev = id
                }
            }
        }

        var out = BlockFormat.fileHeader(BlockFormat.indexMagic)
        var toc: [UInt64] = []
        for section in [symBytes, seriesBytes, postingBytes] {
            toc.append(UInt64(out.count))
            appendSection(section, to: &out)
        }
        let tocStart = out.count
        for t in toc { out.appendUInt64LE(t) }
        let crc = out.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[tocStart...])) }
        out.appendUInt32LE(crc)
        return out
    }

    /// `len u32 | compression u8 | rawLen u32 | data | crc u32`, LZ4 where it is smaller.
    static func appendSection(_ raw: [UInt8], to out: inout [UInt8]) {
        var data = raw
        var compression = BlockFormat.Compression.identity
        if raw.count >= 256 {
            var compressed: [UInt8] = []
            try? LZ4.compress(raw, into: &compressed)
            if !compressed.isEmpty && compressed.count < raw.count {
                data = compressed
                compression = .lz4
            }
        }
        out.appendUInt32LE(UInt32(data.count))
        out.append(compression.rawValue)
        out.appendUInt32LE(UInt32(raw.count))
        out.append(contentsOf: data)
        out.appendUInt32LE(CRC32C.checksum(data))
    }
}
