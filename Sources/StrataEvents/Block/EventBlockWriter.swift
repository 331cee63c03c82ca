import StrataCodec
import StrataStorage

/// Writes one event block file (docs/format/events.md, "Blocks"): the whole
/// file is built in memory (a day of audit events is a few MB), then
/// written as `<id>.tmp`, fsynced, renamed to `<id>`, and the directory
/// fsynced, so a block exists complete or not at all.
enum EventBlockWriter {
    struct Options {
        var partitionStart: Int64
        var partitionEnd: Int64
        var level = 1
        var chained = true
        var textIndexed = true
        var sources: [String] = []
    }

    /// Writes `events` with the chain anchors `anchors` (h(id − 1) for the
    /// ids listed, sorted by id). Returns the new block's path and meta.
    static func write(directory: String, events: BlockEvents, anchors: [(id: UInt64, hash: ChainHash)],
                      options o: Options, id: BlockID = .generate()) throws -> (path: String, meta: EventBlockMeta) {
        let bytes = try encode(events: events, anchors: anchors, options: o, id: id.string)
        let path = directory + "/" + id.string
        try FileIO.mkdirs(directory)
        try FileIO.writeFileAtomically(path, bytes.file)
        return (path, bytes.meta)
    }

    static func encode(events: BlockEvents, anchors: [(id: UInt64, hash: ChainHash)], options o: Options,
                       id: String) throws -> (file: [UInt8], meta: EventBlockMeta) {
        let n = events.count
        let order = (0..<n).sorted {
            let a = events.timestamps[$0], b = events.timestamps[$1]
            return a != b ? a < b : events.ids[$0] < events.ids[$1]
        }
        var drafts: [EventDraft] = []
        drafts.reserveCapacity(n)
        for i in order { drafts.append(try events.draft(i)) }

        // Dictionaries, sorted so that codes follow byte order.
        func dictionary(_ field: (EventDraft) -> String) -> ([String], [ByteString: UInt32]) {
            var set = Set<ByteString>()
            for d in drafts { set.insert(ByteString(field(d))) }
            let sorted = set.map(\.string).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            var codes: [ByteString: UInt32] = [:]
            codes.reserveCapacity(sorted.count)
            for (i, s) in sorted.enumerated() { codes[ByteString(s)] = UInt32(i) }
            return (sorted, codes)
        }
        let (users, userCodes) = dictionary(\.user)
        let (sources, sourceCodes) = dictionary(\.source)
        let (actions, actionCodes) = dictionary(\.action)

        var file = EventBlockFormat.header

        // Pages and the term postings.
        var termPostings: [ByteString: [UInt32]] = [:]
        var scratch: [UInt8] = []
        var pageIndex: [UInt8] = []
        let pageCount = (n + EventBlockFormat.pageSize - 1) / EventBlockFormat.pageSize
        pageIndex.appendUVarint(UInt64(pageCount))
        var lastOffset = 0
        var keys: [UInt32] = [], ts: [Int64] = [], ids: [Int64] = []
        var us: [UInt32] = [], ss: [UInt32] = [], acts: [UInt32] = []
        var text: [UInt8] = []
        var payload: [UInt8] = []
        var minID = UInt64.max, maxID: UInt64 = 0
        for p in 0..<pageCount {
            let lo = p * EventBlockFormat.pageSize, hi = min(n, lo + EventBlockFormat.pageSize)
            keys.removeAll(keepingCapacity: true); ts.removeAll(keepingCapacity: true); ids.removeAll(keepingCapacity: true)
            us.removeAll(keepingCapacity: true); ss.removeAll(keepingCapacity: true); acts.removeAll(keepingCapacity: true)
            text.removeAll(keepingCapacity: true)
            var pMin = UInt64.max, pMax: UInt64 = 0
            for k in lo..<hi {
                let d = drafts[k]
                let eid = events.ids[order[k]]
                keys.append(UInt32(d.key.rawValue))
                ts.append(d.timestamp)
                ids.append(Int64(bitPattern: eid))
                us.append(userCodes[ByteString(d.user)]!)
                ss.append(sourceCodes[ByteString(d.source)]!)
                acts.append(actionCodes[ByteString(d.action)]!)
                BlockPage.appendText(d, to: &text)
                pMin = min(pMin, eid)
                pMax = max(pMax, eid)
                let pos = UInt32(k)
                IndexTerms.forEach(d, text: o.textIndexed, scratch: &scratch) { t in
                    termPostings[ByteString(t), default: []].appendUnique(pos)
                }
            }
            minID = min(minID, pMin)
            maxID = max(maxID, pMax)
            payload.removeAll(keepingCapacity: true)
            try BlockPage.encode(keys: keys, timestamps: ts, ids: ids, users: us, sources: ss, actions: acts,
                                 text: text, into: &payload)
            let offset = file.count
            file.appendUInt32LE(UInt32(payload.count))
            file.appendUInt32LE(CRC32C.checksum(payload))
            file.append(contentsOf: payload)
            // Page index entry.
            pageIndex.appendUVarint(UInt64(offset - lastOffset))
            lastOffset = offset
            pageIndex.appendUVarint(UInt64(hi - lo))
            pageIndex.appendVarint(ts[0])
            pageIndex.appendUVarint(UInt64(ts[ts.count - 1] &- ts[0]))
            pageIndex.appendUVarint(UInt64(bitPattern: ids[0]))
            pageIndex.appendUVarint(pMin)
            pageIndex.appendUVarint(pMax - pMin)
        }

        var offsets: [Int] = []
        func section(_ data: [UInt8]) {
            offsets.append(file.count)
            file.appendUInt32LE(UInt32(data.count))
            file.appendUInt32LE(CRC32C.checksum(data))
            file.append(contentsOf: data)
        }
        section(pageIndex)

        var dicts: [UInt8] = []
        for list in [users, sources, actions] {
            dicts.appendUVarint(UInt64(list.count))
            for s in list { dicts.appendString(s) }
        }
        section(dicts)

        // Bigrams of frequent tokens (docs/format/events.md, "Terms section").
        var bigramThreshold = 0
        if o.textIndexed && n > 0 {
            let threshold = IndexTerms.bigramThreshold(events: n)
            bigramThreshold = threshold
            var bigrams: [ByteString: [UInt32]] = [:]
            for k in 0..<n {
                for f in IndexTerms.phraseFields(drafts[k]) {
                    var prev: String?
                    var prevFrequent = false
                    Tokenizer.forEachToken(f, scratch: &scratch) { raw in
                        let t = String(decoding: raw, as: UTF8.self)
                        let frequent = (termPostings[ByteString(t)]?.count ?? 0) >= threshold
                        if let p = prev, prevFrequent && frequent {
                            bigrams[ByteString(IndexTerms.bigramTerm(p, t)), default: []].appendUnique(UInt32(k))
                        }
                        prev = t
                        prevFrequent = frequent
                    }
                }
            }
            for (t, l) in bigrams { termPostings[t] = l }
        }

        var termKeys: [[UInt8]] = []
        termKeys.reserveCapacity(termPostings.count)
        var entries = termPostings.map { (Array($0.key.string.utf8), $0.value) }
        entries.sort { $0.0.lexicographicallyPrecedes($1.0) }
        termKeys = entries.map(\.0)
        let lists = entries.map(\.1)
        var terms: [UInt8] = []
        TermDictionary.write(terms: termKeys, postings: lists, into: &terms)
        section(terms)

        var chain: [UInt8] = []
        chain.appendUVarint(UInt64(anchors.count))
        var prevID: UInt64 = 0
        for a in anchors {
            precondition(a.id > prevID || prevID == 0 && a.id > 0, "anchors must be sorted by id")
            chain.appendUVarint(a.id - prevID)
            prevID = a.id
            a.hash.append(to: &chain)
        }
        section(chain)

        var flags: UInt64 = 0
        if o.chained { flags |= EventBlockFormat.Flag.chained }
        if o.textIndexed { flags |= EventBlockFormat.Flag.textIndexed }
        let meta = EventBlockMeta(
            id: id, partitionStart: o.partitionStart, partitionEnd: o.partitionEnd,
            minTime: n > 0 ? drafts[0].timestamp : o.partitionStart,
            maxTime: n > 0 ? drafts[n - 1].timestamp : o.partitionStart,
            count: n, minID: n > 0 ? minID : 0, maxID: maxID, level: o.level, flags: flags, sources: o.sources,
            bigramThreshold: bigramThreshold)
        var m: [UInt8] = []
        EventBlockMeta.encode(meta, into: &m)
        section(m)

        // Footer.
        let footerStart = file.count
        for off in offsets { file.appendUInt64LE(UInt64(off)) }
        let crc = file.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[footerStart...])) }
        file.appendUInt32LE(crc)
        file.append(contentsOf: EventBlockFormat.footerMagic)
        return (file, meta)
    }
}

extension Array where Element == UInt32 {
    /// Appends unless `v` is already the last element (positions arrive in order).
    @inline(__always) mutating func appendUnique(_ v: UInt32) {
        if last != v { append(v) }
    }
}
