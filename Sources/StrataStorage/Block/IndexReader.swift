import StrataCodec

/// Decodes a block index (docs/format/block.md, "Index").
enum IndexReader {
    struct Decoded {
        var series: [BlockSeries] = []
        var postings: [String: [String: Range<Int>]] = [:]
        var postingIDs: [UInt32] = []
    }

    static func decode(_ raw: UnsafeRawBufferPointer, block: String) throws(BlockError) -> Decoded {
        func fail(_ offset: Int, _ reason: BlockError.Reason) -> BlockError {
            BlockError(block: block, file: BlockFormat.indexFile, offset: offset, reason: reason)
        }
        guard raw.count >= BlockFormat.fileHeaderSize + 3 * 8 + 4 else { throw fail(0, .truncated) }
        for k in 0..<4 where raw[k] != BlockFormat.indexMagic[k] { throw fail(0, .badMagic) }
        guard raw[4] == BlockFormat.version else { throw fail(4, .badVersion(Int(raw[4]))) }
        let tocStart = raw.count - 3 * 8 - 4
        var tr = ByteReader(raw, offset: tocStart)
        var toc: [Int] = []
        for _ in 0..<3 { toc.append(Int(truncatingIfNeeded: tr.readUInt64LE()!)) }
        let tocCRC = tr.readUInt32LE()!
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[tocStart..<(tocStart + 24)])) == tocCRC else {
            throw fail(tocStart, .badChecksum)
        }
        var sections: [[UInt8]] = []
        for off in toc {
            guard off >= BlockFormat.fileHeaderSize, off < tocStart else { throw fail(off, .truncated) }
            var r = ByteReader(raw, offset: off)
            guard let len = r.readUInt32LE(), let comp = r.readUInt8(), let rawLen = r.readUInt32LE(),
                  let data = r.readBytes(Int(len)), let crc = r.readUInt32LE() else { throw fail(off, .truncated) }
            guard CRC32C.checksum(data) == crc else { throw fail(off, .badChecksum) }
            switch BlockFormat.Compression(rawValue: comp) {
            case .identity:
                sections.append(Array(data))
            case .lz4:
                guard rawLen <= 1 << 31 else { throw fail(off, .badSection("section too large")) }
                var out: [UInt8] = []
                do { try LZ4.decompress(data, expectedSize: Int(rawLen), into: &out) } catch { throw fail(off, .badSection("lz4: \(error)")) }
                sections.append(out)
            case nil:
                throw fail(off, .badSection("unknown compression \(comp)"))
            }
        }
        var d = Decoded()
        // Symbols.
        var symbols: [String] = []
        let ok1: Bool = sections[0].withUnsafeBytes { b in
            var r = ByteReader(b)
            guard let n = r.readUVarint(), n <= UInt64(b.count) else { return false }
            symbols.reserveCapacity(Int(n))
            for _ in 0..<n {
                guard let s = r.readString() else { return false }
                symbols.append(s)
            }
            return true
        }
        guard ok1 else { throw fail(toc[0], .badSection("symbols")) }
        // Series.
        let ok2: Bool = sections[1].withUnsafeBytes { b in
            var r = ByteReader(b)
            guard let n = r.readUVarint(), n <= UInt64(b.count) else { return false }
            d.series.reserveCapacity(Int(n))
            var pairs: [Label] = []
            for _ in 0..<n {
                guard let nl = r.readUVarint(), nl <= UInt64(r.remaining) else { return false }
                pairs.removeAll(keepingCapacity: true)
                for _ in 0..<nl {
                    guard let ns = r.readUVarint(), let vs = r.readUVarint(),
                          ns < UInt64(symbols.count), vs < UInt64(symbols.count) else { return false }
                    pairs.append(Label(symbols[Int(ns)], symbols[Int(vs)]))
                }
                guard let nc = r.readUVarint(), nc <= UInt64(r.remaining) else { return false }
                var chunks: [BlockChunkMeta] = []
                chunks.reserveCapacity(Int(nc))
                var prevMax: Int64? = nil
                for _ in 0..<nc {
                    guard let dmin = r.readVarint(), let span = r.readUVarint(), let cnt = r.readUVarint(),
                          let tref = r.readUVarint(), let vref = r.readUVarint() else { return false }
                    let minT = prevMax.map { $0 &+ dmin } ?? dmin
                    let maxT = minT &+ Int64(bitPattern: span)
                    chunks.append(BlockChunkMeta(minTime: minT, maxTime: maxT, samples: Int(cnt), timestampsRef: tref, valuesRef: vref))
                    prevMax = maxT
                }
                d.series.append(BlockSeries(labels: Labels(sortedUnchecked: pairs), chunks: chunks))
            }
            return true
        }
        guard ok2 else { throw fail(toc[1], .badSection("series")) }
        // Postings.
        let nSeries = d.series.count
        let ok3: Bool = sections[2].withUnsafeBytes { b in
            var r = ByteReader(b)
            guard let n = r.readUVarint(), n <= UInt64(b.count) else { return false }
            for _ in 0..<n {
                guard let ns = r.readUVarint(), let vs = r.readUVarint(), let cnt = r.readUVarint(),
                      ns < UInt64(symbols.count), vs < UInt64(symbols.count), cnt <= UInt64(r.remaining) else { return false }
                let start = d.postingIDs.count
                var prev: UInt64 = 0
                for _ in 0..<cnt {
                    guard let delta = r.readUVarint() else { return false }
                    prev &+= delta
                    guard prev < UInt64(nSeries) else { return false }
                    d.postingIDs.append(UInt32(prev))
                }
                d.postings[symbols[Int(ns)], default: [:]][symbols[Int(vs)]] = start..<d.postingIDs.count
            }
            return true
        }
        guard ok3 else { throw fail(toc[2], .badSection("postings")) }
        return d
    }
}
