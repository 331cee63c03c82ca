import StrataCodec
import StrataStorage

extension TermDictionary {
    /// Appends the terms section data for `terms` (sorted by UTF-8 bytes,
    /// unique) with their postings (block positions, increasing) to `out`.
    /// Layout: docs/format/events.md, "Terms section".
    static func write(terms: [[UInt8]], postings: [[UInt32]], into out: inout [UInt8]) {
        precondition(terms.count == postings.count)
        let g = EventBlockFormat.termGroupSize
        var groups: [UInt8] = []
        var groupOffsets: [UInt32] = []
        var postingsRegion: [UInt8] = []
        var i = 0
        while i < terms.count {
            let end = min(i + g, terms.count)
            groupOffsets.append(UInt32(groups.count))
            groups.appendUVarint(UInt64(postingsRegion.count))
            groups.appendUVarint(UInt64(end - i))
            var prev: [UInt8] = []
            for k in i..<end {
                let t = terms[k]
                var shared = 0
                if k > i {
                    let m = min(prev.count, t.count)
                    while shared < m && prev[shared] == t[shared] { shared += 1 }
                }
                groups.appendUVarint(UInt64(shared))
                groups.appendUVarint(UInt64(t.count - shared))
                groups.append(contentsOf: t[shared...])
                let before = postingsRegion.count
                PostingsCodec.encode(postings[k], into: &postingsRegion)
                groups.appendUVarint(UInt64(postingsRegion.count - before))
                prev = t
            }
            i = end
        }
        out.appendUVarint(UInt64(terms.count))
        out.appendUVarint(UInt64(groupOffsets.count))
        out.appendUVarint(UInt64(groups.count))
        for o in groupOffsets { out.appendUInt32LE(o) }
        out.append(contentsOf: groups)
        out.append(contentsOf: postingsRegion)
    }
}
