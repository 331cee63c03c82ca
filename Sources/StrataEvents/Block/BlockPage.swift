import StrataCodec

/// One page of a block: up to `EventBlockFormat.pageSize` consecutive
/// events (in (timestamp, id) order) stored column by column
/// (docs/format/events.md, "Page"):
///
/// ```
/// count uvarint │ keys │ timestamps │ ids │ users │ sources │ actions │ text
/// ```
/// keys/users/sources/actions: `CodePacking`; timestamps and ids:
/// `TimestampColumn` (delta-of-delta, frame-of-reference packed); text:
/// `rawLen uvarint │ storedLen uvarint │ compression u8 │ bytes`, the
/// descriptions and attributes of the page, LZ4-compressed when smaller.
///
/// A decoded page is reused across pages (`decode` overwrites it).
struct BlockPage {
    var count = 0
    var keys: [UInt32] = []
    var timestamps: [Int64] = []
    var ids: [Int64] = []
    var users: [UInt32] = []
    var sources: [UInt32] = []
    var actions: [UInt32] = []
    /// Uncompressed text; event i's part starts at textStarts[i].
    var text: [UInt8] = []
    var textStarts: [Int] = []
    /// Which page this holds (-1: none).
    var pageIndex = -1
    /// How much of it is decoded.
    var level = Level.none

    /// What a caller needs of a page: time and id (positions, cursors), all
    /// columns, or the text too (results, phrase checks).
    enum Level: Int, Comparable {
        case none = 0, timeAndIDs, columns, text
        static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    // MARK: encode

    /// Appends a page payload for the given parallel columns.
    static func encode(keys: [UInt32], timestamps: [Int64], ids: [Int64], users: [UInt32], sources: [UInt32],
                       actions: [UInt32], text: [UInt8], into out: inout [UInt8]) throws(EventBlockError) {
        out.appendUVarint(UInt64(keys.count))
        CodePacking.encode(keys, into: &out)
        TimestampColumn.encode(timestamps, into: &out)
        TimestampColumn.encode(ids, into: &out)
        CodePacking.encode(users, into: &out)
        CodePacking.encode(sources, into: &out)
        CodePacking.encode(actions, into: &out)
        out.appendUVarint(UInt64(text.count))
        var compressed: [UInt8] = []
        do {
            try LZ4.compress(text, into: &compressed, level: EventBlockFormat.textCompressionLevel)
        } catch {
            throw .codec(offset: out.count, error)
        }
        if compressed.count < text.count {
            out.appendUVarint(UInt64(compressed.count))
            out.append(1)
            out.append(contentsOf: compressed)
        } else {
            out.appendUVarint(UInt64(text.count))
            out.append(0)
            out.append(contentsOf: text)
        }
    }

    /// Appends one event's text part: description, then attributes.
    static func appendText(_ d: EventDraft, to text: inout [UInt8]) {
        text.appendString(d.description)
        text.appendUVarint(UInt64(d.attributes.count))
        for a in d.attributes {
            text.appendString(a.key)
            text.appendString(a.value)
        }
    }

    // MARK: decode

    /// Reads only the key column of the page payload at `range`.
    static func decodeKeys(_ file: UnsafeRawBufferPointer, _ range: Range<Int>, into out: inout [UInt32]) throws(EventBlockError) -> Int {
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: file[..<range.upperBound]), offset: range.lowerBound)
        guard let n = r.readUVarint(), n <= UInt64(EventBlockFormat.pageSize) else {
            throw .corrupt(offset: range.lowerBound, what: "page count")
        }
        try CodePacking.decode(&r, count: Int(n), into: &out)
        return Int(n)
    }

    /// Decodes the page payload at `range` of `file` up to `want`.
    mutating func decode(_ file: UnsafeRawBufferPointer, _ range: Range<Int>, page: Int, want: Level) throws(EventBlockError) {
        if pageIndex == page && level >= want { return }
        pageIndex = -1
        level = .none
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: file[..<range.upperBound]), offset: range.lowerBound)
        guard let n64 = r.readUVarint(), n64 <= UInt64(EventBlockFormat.pageSize) else {
            throw .corrupt(offset: range.lowerBound, what: "page count")
        }
        let n = Int(n64)
        count = n
        if want >= .columns { try CodePacking.decode(&r, count: n, into: &keys) } else { try CodePacking.skip(&r, count: n) }
        try Self.column(&r, &timestamps, n, "timestamps")
        try Self.column(&r, &ids, n, "ids")
        if want == .timeAndIDs {
            pageIndex = page
            level = .timeAndIDs
            return
        }
        try CodePacking.decode(&r, count: n, into: &users)
        try CodePacking.decode(&r, count: n, into: &sources)
        try CodePacking.decode(&r, count: n, into: &actions)
        if want == .text {
            let at = r.offset
            guard let raw = r.readUVarint(), raw <= 64 << 20, let stored = r.readUVarint(), let comp = r.readUInt8(),
                  let bytes = r.readBytes(Int(min(stored, UInt64(Int32.max)))) else {
                throw .corrupt(offset: at, what: "page text header")
            }
            text.removeAll(keepingCapacity: true)
            if comp == 1 {
                do { try LZ4.decompress(bytes, expectedSize: Int(raw), into: &text) } catch { throw .codec(offset: at, error) }
            } else if comp == 0 && raw == stored {
                text.append(contentsOf: bytes)
            } else {
                throw .corrupt(offset: at, what: "page text compression \(comp)")
            }
            // Index the per-event parts.
            var starts: [Int] = []
            swap(&starts, &textStarts)
            starts.removeAll(keepingCapacity: true)
            let failed: Bool = text.withUnsafeBytes { t -> Bool in
                var tr = ByteReader(t)
                for _ in 0..<n {
                    starts.append(tr.offset)
                    guard tr.readString() != nil, let na = tr.readUVarint(), na <= UInt64(tr.remaining) else { return true }
                    for _ in 0..<na {
                        guard let kl = tr.readUVarint(), tr.readBytes(Int(min(kl, UInt64(Int32.max)))) != nil,
                              let vl = tr.readUVarint(), tr.readBytes(Int(min(vl, UInt64(Int32.max)))) != nil else { return true }
                    }
                }
                starts.append(tr.offset)
                return !tr.isAtEnd
            }
            textStarts = starts
            if failed { throw .corrupt(offset: at, what: "page text") }
        }
        level = want
        pageIndex = page
    }

    private static func column(_ r: inout ByteReader, _ out: inout [Int64], _ n: Int, _ what: String) throws(EventBlockError) {
        let at = r.offset
        let rest = UnsafeRawBufferPointer(rebasing: r.base[r.offset...])
        do {
            let used = try TimestampColumn.decode(rest, into: &out)
            r.offset += used
        } catch {
            throw .codec(offset: at, error)
        }
        guard out.count == n else { throw .corrupt(offset: at, what: "\(what) column has \(out.count) values, page \(n)") }
    }

    /// Description and attributes of event `i` of the page (text decoded).
    func textFields(_ i: Int) -> (description: String, attributes: [EventAttribute]) {
        text.withUnsafeBytes { t in
            var r = ByteReader(t, offset: textStarts[i])
            let desc = r.readString() ?? ""
            let n = r.readUVarint() ?? 0
            var attrs: [EventAttribute] = []
            attrs.reserveCapacity(Int(n))
            for _ in 0..<n {
                let k = r.readString() ?? ""
                let v = r.readString() ?? ""
                attrs.append(EventAttribute(k, v))
            }
            return (desc, attrs)
        }
    }
}
