#if canImport(Glibc)
import Glibc
#endif
import StrataCodec
import StrataStorage

/// The term dictionary of a block, read in place from the mapped file:
/// front-coded groups of terms (sorted by UTF-8 bytes) whose first terms are
/// binary-searched, each term pointing at its postings list (block
/// positions, `PostingsCodec`). Nothing is decoded at open beyond the header.
struct TermDictionary: Sendable {
    /// Offsets within the file.
    let groupTable: Int
    let groupsBase: Int
    let postingsBase: Int
    let groupCount: Int
    let termCount: Int
    let end: Int

    static let empty = TermDictionary(groupTable: 0, groupsBase: 0, postingsBase: 0, groupCount: 0, termCount: 0, end: 0)

    /// Parses the header of a terms section occupying `range` of `file`.
    static func open(_ file: UnsafeRawBufferPointer, range: Range<Int>) throws(EventBlockError) -> TermDictionary {
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: file[..<range.upperBound]), offset: range.lowerBound)
        guard let nterms = r.readUVarint(), let ngroups = r.readUVarint(), let groupsLen = r.readUVarint(),
              ngroups <= UInt64(r.remaining / 4), groupsLen <= UInt64(r.remaining) else {
            throw .corrupt(offset: range.lowerBound, what: "terms section header")
        }
        let table = r.offset
        let groupsBase = table + Int(ngroups) * 4
        let postingsBase = groupsBase + Int(groupsLen)
        guard postingsBase <= range.upperBound else { throw .corrupt(offset: table, what: "terms section lengths") }
        return TermDictionary(groupTable: table, groupsBase: groupsBase, postingsBase: postingsBase,
                              groupCount: Int(ngroups), termCount: Int(nterms), end: range.upperBound)
    }

    private func groupStart(_ file: UnsafeRawBufferPointer, _ g: Int) -> Int {
        groupsBase + Int(UInt32(littleEndian: file.loadUnaligned(fromByteOffset: groupTable + g * 4, as: UInt32.self)))
    }

    /// Compares the first term of group `g` with `key`.
    private func compareHead(_ file: UnsafeRawBufferPointer, _ g: Int, _ key: UnsafeRawBufferPointer) -> Int {
        var r = ByteReader(UnsafeRawBufferPointer(rebasing: file[..<postingsBase]), offset: groupStart(file, g))
        guard r.readUVarint() != nil, r.readUVarint() != nil, r.readUVarint() != nil,
              let len = r.readUVarint(), let bytes = r.readBytes(Int(len)) else { return 1 }
        return Self.compare(bytes, key)
    }

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress!, b.baseAddress!, n)
            if c != 0 { return Int(c) }
        }
        return a.count - b.count
    }

    /// The last group whose first term is ≤ key, or -1.
    private func findGroup(_ file: UnsafeRawBufferPointer, _ key: UnsafeRawBufferPointer) -> Int {
        var lo = 0, hi = groupCount
        while lo < hi {
            let m = (lo + hi) / 2
            if compareHead(file, m, key) <= 0 { lo = m + 1 } else { hi = m }
        }
        return lo - 1
    }

    /// Walks terms from group `g` on; `visit` gets each term and the byte
    /// range of its postings and returns false to stop.
    private func walk(_ file: UnsafeRawBufferPointer, from g: Int,
                      _ visit: (UnsafeRawBufferPointer, Range<Int>) -> Bool) throws(EventBlockError) {
        var term: [UInt8] = []
        var gi = g
        while gi < groupCount {
            let at = groupStart(file, gi)
            var r = ByteReader(UnsafeRawBufferPointer(rebasing: file[..<postingsBase]), offset: at)
            guard let pbase = r.readUVarint(), let n = r.readUVarint() else { throw .corrupt(offset: at, what: "term group") }
            var p = postingsBase + Int(pbase)
            term.removeAll(keepingCapacity: true)
            for _ in 0..<n {
                guard let shared = r.readUVarint(), Int(shared) <= term.count, let len = r.readUVarint(),
                      let suffix = r.readBytes(Int(len)), let plen = r.readUVarint(), p + Int(plen) <= end else {
                    throw .corrupt(offset: r.offset, what: "term entry")
                }
                term.removeLast(term.count - Int(shared))
                term.append(contentsOf: suffix)
                let range = p..<(p + Int(plen))
                p += Int(plen)
                let go = term.withUnsafeBytes { visit($0, range) }
                if !go { return }
            }
            gi += 1
        }
    }

    /// Decodes the postings of `term` into `out`; false if absent.
    func postings(_ file: UnsafeRawBufferPointer, term: [UInt8], into out: inout [UInt32]) throws(EventBlockError) -> Bool {
        guard groupCount > 0 else { return false }
        var found: Range<Int>?
        let r: Result<Void, EventBlockError> = term.withUnsafeBytes { key in
            let g = findGroup(file, key)
            guard g >= 0 else { return .success(()) }
            return Result { () throws(EventBlockError) in
                try walk(file, from: g) { t, range in
                    let c = Self.compare(t, key)
                    if c == 0 { found = range; return false }
                    return c < 0
                }
            }
        }
        try r.get()
        guard let found else { return false }
        try decodePostings(file, found, into: &out)
        return true
    }

    /// Postings of every term starting with `prefix`, unioned into `out`.
    func postings(_ file: UnsafeRawBufferPointer, prefix: [UInt8], into out: inout [UInt32]) throws(EventBlockError) {
        out.removeAll(keepingCapacity: true)
        guard groupCount > 0 else { return }
        var ranges: [Range<Int>] = []
        let r: Result<Void, EventBlockError> = prefix.withUnsafeBytes { key in
            let g = max(0, findGroup(file, key))
            return Result { () throws(EventBlockError) in
                try walk(file, from: g) { t, range in
                    if t.count >= key.count && (key.isEmpty || memcmp(t.baseAddress!, key.baseAddress!, key.count) == 0) {
                        // Field and bigram terms (leading control byte) are not text.
                        if t.first! >= 0x20 { ranges.append(range) }
                        return true
                    }
                    return Self.compare(t, key) < 0
                }
            }
        }
        try r.get()
        var lists: [[UInt32]] = []
        var tmp: [UInt32] = []
        for r in ranges {
            try decodePostings(file, r, into: &tmp)
            lists.append(tmp)
        }
        if lists.count == 1 { out = lists[0] } else if !lists.isEmpty { Postings.union(lists, into: &out) }
    }

    /// Calls `body` with every term and its postings (compaction, tests).
    func forEach(_ file: UnsafeRawBufferPointer, _ body: ([UInt8], [UInt32]) -> Void) throws(EventBlockError) {
        var ranges: [([UInt8], Range<Int>)] = []
        try walk(file, from: 0) { t, r in
            ranges.append((Array(t), r))
            return true
        }
        var list: [UInt32] = []
        for (t, r) in ranges {
            try decodePostings(file, r, into: &list)
            body(t, list)
        }
    }

    private func decodePostings(_ file: UnsafeRawBufferPointer, _ r: Range<Int>, into out: inout [UInt32]) throws(EventBlockError) {
        do {
            try PostingsCodec.decode(from: UnsafeRawBufferPointer(rebasing: file[r]), into: &out)
        } catch {
            throw .corrupt(offset: r.lowerBound, what: "postings: \(error)")
        }
    }
}
