import StrataCodec
import StrataStorage

/// An immutable event block, memory-mapped. At open every page and section
/// checksum is verified, and the small parts are decoded: the page index,
/// the key byte of every event (type and severity, for filters and facets
/// without touching pages), the dictionaries and the chain anchors. Terms
/// and pages are read in place.
public final class EventBlock: @unchecked Sendable {
    public let path: String
    public let meta: EventBlockMeta
    let file: MappedFile

    // Page index.
    let pageOffsets: [Int]
    let pageCounts: [Int]
    /// Position of each page's first event.
    let pageFirstPos: [Int]
    let pageFirstT: [Int64]
    let pageLastT: [Int64]
    let pageFirstID: [UInt64]
    let pageMinID: [UInt64]
    let pageMaxID: [UInt64]

    /// Key byte (type << 2 | severity) of every event, by position.
    let keys: [UInt8]
    let users: [String]
    let sources: [String]
    let actions: [String]
    let terms: TermDictionary
    /// Chain anchors: h(id − 1) for anchorIDs[i].
    let anchorIDs: [UInt64]
    let anchorHashes: [ChainHash]

    public var id: String { meta.id }
    public var count: Int { meta.count }
    public var sizeOnDisk: Int { file.count }
    var pageCount: Int { pageOffsets.count }

    public init(path: String) throws(EventBlockError) {
        self.path = path
        let name = path.split(separator: "/").last.map(String.init) ?? path
        do { file = try MappedFile(path) } catch { throw .io(error) }
        let parsed: Parsed = try file.withBytes { (raw: UnsafeRawBufferPointer) throws(EventBlockError) -> Parsed in
            try Self.parse(raw, name: name)
        }
        meta = parsed.meta
        pageOffsets = parsed.pageOffsets
        pageCounts = parsed.pageCounts
        pageFirstPos = parsed.pageFirstPos
        pageFirstT = parsed.pageFirstT
        pageLastT = parsed.pageLastT
        pageFirstID = parsed.pageFirstID
        pageMinID = parsed.pageMinID
        pageMaxID = parsed.pageMaxID
        keys = parsed.keys
        users = parsed.dicts[0]
        sources = parsed.dicts[1]
        actions = parsed.dicts[2]
        terms = parsed.terms
        anchorIDs = parsed.anchorIDs
        anchorHashes = parsed.anchorHashes
    }

    struct Parsed {
        var meta: EventBlockMeta
        var pageOffsets: [Int] = [], pageCounts: [Int] = [], pageFirstPos: [Int] = []
        var pageFirstT: [Int64] = [], pageLastT: [Int64] = []
        var pageFirstID: [UInt64] = [], pageMinID: [UInt64] = [], pageMaxID: [UInt64] = []
        var keys: [UInt8] = []
        var dicts: [[String]] = []
        var terms = TermDictionary.empty
        var anchorIDs: [UInt64] = []
        var anchorHashes: [ChainHash] = []
    }

    /// Verifies a section's CRC; returns its data range.
    static func section(_ raw: UnsafeRawBufferPointer, at off: Int, _ name: String) throws(EventBlockError) -> Range<Int> {
        guard off >= EventBlockFormat.headerSize, off + 8 <= raw.count else { throw .corrupt(offset: off, what: "\(name) offset") }
        let len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
        let crc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off + 4, as: UInt32.self))
        guard off + 8 + len <= raw.count else { throw .corrupt(offset: off, what: "\(name) length") }
        let range = (off + 8)..<(off + 8 + len)
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[range])) == crc else {
            throw .checksum(offset: off, section: name)
        }
        return range
    }

    static func parse(_ raw: UnsafeRawBufferPointer, name: String) throws(EventBlockError) -> Parsed {
        let n = raw.count
        guard n >= EventBlockFormat.headerSize + EventBlockFormat.footerSize else { throw .corrupt(offset: 0, what: "file of \(n) bytes") }
        for i in 0..<4 where raw[i] != EventBlockFormat.magic[i] { throw .corrupt(offset: 0, what: "magic") }
        guard raw[4] == EventBlockFormat.version else { throw .corrupt(offset: 4, what: "version \(raw[4])") }
        let footer = n - EventBlockFormat.footerSize
        for i in 0..<4 where raw[n - 4 + i] != EventBlockFormat.footerMagic[i] { throw .corrupt(offset: n - 4, what: "footer magic") }
        let fcrc = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: footer + 40, as: UInt32.self))
        guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[footer..<(footer + 40)])) == fcrc else {
            throw .checksum(offset: footer, section: "footer")
        }
        var offs: [Int] = []
        for i in 0..<5 {
            let v = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: footer + 8 * i, as: UInt64.self))
            guard v < UInt64(footer) else { throw .corrupt(offset: footer + 8 * i, what: "section offset") }
            offs.append(Int(v))
        }
        let pageIndexR = try section(raw, at: offs[0], "page index")
        let dictsR = try section(raw, at: offs[1], "dictionaries")
        let termsR = try section(raw, at: offs[2], "terms")
        let chainR = try section(raw, at: offs[3], "chain")
        let metaR = try section(raw, at: offs[4], "meta")

        var mr = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<metaR.upperBound]), offset: metaR.lowerBound)
        guard let meta = EventBlockMeta.decode(&mr, id: name) else { throw .corrupt(offset: metaR.lowerBound, what: "meta") }
        var p = Parsed(meta: meta)

        // Page index, then every page's checksum and key column.
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<pageIndexR.upperBound]), offset: pageIndexR.lowerBound)
        guard let pages = r.readUVarint(), pages <= UInt64(pageIndexR.count) else { throw .corrupt(offset: r.offset, what: "page count") }
        var offset = 0, pos = 0
        var keyScratch: [UInt32] = []
        p.keys.reserveCapacity(meta.count)
        for _ in 0..<pages {
            guard let dOff = r.readUVarint(), let cnt = r.readUVarint(), cnt > 0, cnt <= UInt64(EventBlockFormat.pageSize),
                  let firstT = r.readVarint(), let span = r.readUVarint(), let firstID = r.readUVarint(),
                  let minID = r.readUVarint(), let idSpan = r.readUVarint() else {
                throw .corrupt(offset: r.offset, what: "page index entry")
            }
            offset += Int(truncatingIfNeeded: dOff)
            guard offset >= EventBlockFormat.headerSize, offset + 8 <= pageIndexR.lowerBound else {
                throw .corrupt(offset: r.offset, what: "page offset")
            }
            let payload = try section(raw, at: offset, "page at \(offset)")
            let got = try BlockPage.decodeKeys(raw, payload, into: &keyScratch)
            guard got == Int(cnt) else { throw .corrupt(offset: offset, what: "page holds \(got) events, index says \(cnt)") }
            for k in keyScratch { p.keys.append(UInt8(truncatingIfNeeded: k)) }
            p.pageOffsets.append(offset)
            p.pageCounts.append(Int(cnt))
            p.pageFirstPos.append(pos)
            p.pageFirstT.append(firstT)
            p.pageLastT.append(firstT &+ Int64(bitPattern: span))
            p.pageFirstID.append(firstID)
            p.pageMinID.append(minID)
            p.pageMaxID.append(minID &+ idSpan)
            pos += Int(cnt)
        }
        guard pos == meta.count else { throw .corrupt(offset: pageIndexR.lowerBound, what: "pages hold \(pos) events, meta says \(meta.count)") }

        var dr = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<dictsR.upperBound]), offset: dictsR.lowerBound)
        for _ in 0..<3 {
            guard let c = dr.readUVarint(), c <= UInt64(dr.remaining) else { throw .corrupt(offset: dr.offset, what: "dictionary") }
            var list: [String] = []
            list.reserveCapacity(Int(c))
            for _ in 0..<c {
                guard let s = dr.readString() else { throw .corrupt(offset: dr.offset, what: "dictionary entry") }
                list.append(s)
            }
            p.dicts.append(list)
        }

        p.terms = try TermDictionary.open(raw, range: termsR)

        var cr = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<chainR.upperBound]), offset: chainR.lowerBound)
        guard let na = cr.readUVarint(), na <= UInt64(chainR.count / 33) else { throw .corrupt(offset: chainR.lowerBound, what: "anchor count") }
        var aid: UInt64 = 0
        for _ in 0..<na {
            guard let d = cr.readUVarint(), cr.remaining >= 32 else { throw .corrupt(offset: cr.offset, what: "anchor") }
            aid &+= d
            p.anchorIDs.append(aid)
            p.anchorHashes.append(ChainHash(reading: raw, at: cr.offset))
            cr.offset += 32
        }
        return p
    }

    // MARK: positions

    /// Positions whose timestamp lies in [start, end] (events are sorted by time).
    func positions(start: Int64, end: Int64) throws(EventBlockError) -> Range<Int> {
        guard count > 0, start <= end, meta.maxTime >= start, meta.minTime <= end else { return 0..<0 }
        if start <= meta.minTime && meta.maxTime <= end { return 0..<count }
        var page = BlockPage()
        let lo = try lowerBound(&page) { t, _ in t < start }
        let hi = try lowerBound(&page) { t, _ in t <= end }
        return lo..<max(lo, hi)
    }

    /// Number of events strictly below the cursor position in (timestamp, id) order.
    func positions(below c: EventCursor.Position) throws(EventBlockError) -> Int {
        var page = BlockPage()
        return try lowerBound(&page) { t, id in t < c.timestamp || (t == c.timestamp && id < c.id) }
    }

    /// First position for which `less` is false (`less` is monotone: true then false).
    private func lowerBound(_ page: inout BlockPage, _ less: (Int64, UInt64) -> Bool) throws(EventBlockError) -> Int {
        // Pages: find the first page whose first event is not "less".
        var lo = 0, hi = pageCount
        while lo < hi {
            let m = (lo + hi) / 2
            if less(pageFirstT[m], pageFirstID[m]) { lo = m + 1 } else { hi = m }
        }
        // The boundary lies in page lo − 1 (or at its start).
        guard lo > 0 else { return 0 }
        let p = lo - 1
        try decodePage(p, into: &page, want: .timeAndIDs)
        var i = 0
        while i < page.count && less(page.timestamps[i], UInt64(bitPattern: page.ids[i])) { i += 1 }
        return pageFirstPos[p] + i
    }

    func page(of position: Int) -> Int {
        var lo = 0, hi = pageCount
        while lo < hi {
            let m = (lo + hi) / 2
            if pageFirstPos[m] <= position { lo = m + 1 } else { hi = m }
        }
        return lo - 1
    }

    func decodePage(_ p: Int, into page: inout BlockPage, want: BlockPage.Level) throws(EventBlockError) {
        let off = pageOffsets[p]
        try file.withBytes { (raw: UnsafeRawBufferPointer) throws(EventBlockError) in
            let len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
            try page.decode(raw, (off + 8)..<(off + 8 + len), page: p, want: want)
        }
    }

    /// The event at `position` (its page is decoded into `page`, which callers reuse).
    func event(at position: Int, page: inout BlockPage) throws(EventBlockError) -> Event {
        let p = self.page(of: position)
        try decodePage(p, into: &page, want: .text)
        return event(inPage: page, position - pageFirstPos[p])
    }

    func event(inPage page: BlockPage, _ i: Int) -> Event {
        let (desc, attrs) = page.textFields(i)
        let key = EventKey(rawValue: UInt8(truncatingIfNeeded: page.keys[i]))
        var d = EventDraft(timestamp: page.timestamps[i], type: key.type, severity: key.severity,
                           user: users[Int(page.users[i])], source: sources[Int(page.sources[i])],
                           action: actions[Int(page.actions[i])], description: desc)
        d.attributes = attrs
        return Event(id: UInt64(bitPattern: page.ids[i]), d)
    }

    /// Calls `body` with every event in position order (compaction, verification, summaries).
    func forEachEvent(in positions: Range<Int>? = nil, _ body: (Int, Event) throws -> Void) throws {
        let range = positions ?? 0..<count
        guard !range.isEmpty else { return }
        var page = BlockPage()
        var p = self.page(of: range.lowerBound)
        while p < pageCount && pageFirstPos[p] < range.upperBound {
            try decodePage(p, into: &page, want: .text)
            for i in 0..<page.count {
                let pos = pageFirstPos[p] + i
                if range.contains(pos) { try body(pos, event(inPage: page, i)) }
            }
            p += 1
        }
    }

    /// Where event `id` is, if this block holds it.
    func position(ofID id: UInt64) throws(EventBlockError) -> Int? {
        guard count > 0, id >= meta.minID, id <= meta.maxID else { return nil }
        var page = BlockPage()
        for p in 0..<pageCount where pageMinID[p] <= id && id <= pageMaxID[p] {
            try decodePage(p, into: &page, want: .timeAndIDs)
            for i in 0..<page.count where UInt64(bitPattern: page.ids[i]) == id { return pageFirstPos[p] + i }
        }
        return nil
    }

    /// All ids of the block (verification, replay deduplication).
    func allIDs() throws(EventBlockError) -> [UInt64] {
        var out: [UInt64] = []
        out.reserveCapacity(count)
        var page = BlockPage()
        for p in 0..<pageCount {
            try decodePage(p, into: &page, want: .timeAndIDs)
            for v in page.ids { out.append(UInt64(bitPattern: v)) }
        }
        return out
    }

    // MARK: terms

    func postings(term: String, into out: inout [UInt32]) throws(EventBlockError) -> Bool {
        let key = Array(term.utf8)
        return try file.withBytes { (raw: UnsafeRawBufferPointer) throws(EventBlockError) -> Bool in
            try terms.postings(raw, term: key, into: &out)
        }
    }

    func postings(prefix: String, into out: inout [UInt32]) throws(EventBlockError) {
        let key = Array(prefix.utf8)
        try file.withBytes { (raw: UnsafeRawBufferPointer) throws(EventBlockError) in
            try terms.postings(raw, prefix: key, into: &out)
        }
    }

    /// The anchor at or before `id`: (anchor id, h(anchor id − 1)).
    func anchor(atOrBefore id: UInt64) -> (UInt64, ChainHash)? {
        var lo = 0, hi = anchorIDs.count
        while lo < hi {
            let m = (lo + hi) / 2
            if anchorIDs[m] <= id { lo = m + 1 } else { hi = m }
        }
        return lo > 0 ? (anchorIDs[lo - 1], anchorHashes[lo - 1]) : nil
    }
}

extension EventBlock {
    /// Bytes per part of the file, for storage reports (`strata audit bench`).
    public func storageBreakdown() throws -> [String: Int] {
        var out: [String: Int] = [:]
        try file.withBytes { (raw: UnsafeRawBufferPointer) throws in
            for p in 0..<pageCount {
                let off = pageOffsets[p]
                let len = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: off, as: UInt32.self)))
                var r = ByteReader(UnsafeRawBufferPointer(rebasing: raw[..<(off + 8 + len)]), offset: off + 8)
                out["page headers", default: 0] += 8
                let n = Int(r.readUVarint() ?? 0)
                var at = r.offset
                try CodePacking.skip(&r, count: n)
                out["keys", default: 0] += r.offset - at
                var scratch: [Int64] = []
                for name in ["timestamps", "ids"] {
                    at = r.offset
                    r.offset += try TimestampColumn.decode(UnsafeRawBufferPointer(rebasing: raw[r.offset..<(off + 8 + len)]), into: &scratch)
                    out[name, default: 0] += r.offset - at
                }
                for name in ["users", "sources", "actions"] {
                    at = r.offset
                    try CodePacking.skip(&r, count: n)
                    out[name, default: 0] += r.offset - at
                }
                out["text", default: 0] += off + 8 + len - r.offset
            }
            let footer = raw.count - EventBlockFormat.footerSize
            var offs: [Int] = []
            for i in 0..<5 { offs.append(Int(UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: footer + 8 * i, as: UInt64.self)))) }
            offs.append(footer)
            for (i, name) in ["page index", "dictionaries", "terms", "chain", "meta"].enumerated() { out[name] = offs[i + 1] - offs[i] }
            out["header+footer"] = EventBlockFormat.headerSize + EventBlockFormat.footerSize
        }
        return out
    }
}
