/// A series' identity: label pairs sorted by name (byte order), names unique.
///
/// `Labels` is the only way the engine names a series. Construct it with
/// `init(sorting:)` from untrusted input (it sorts, then `validate()` checks),
/// or `init(sortedUnchecked:)` where the caller guarantees the order, such as
/// a block index or the WAL, both of which only ever hold validated sets.
public struct Labels: Hashable, Sendable, RandomAccessCollection, CustomStringConvertible {
    public let pairs: [Label]

    public init() { pairs = [] }

    /// Sorts `labels` by name. Duplicates are kept so that `validate()` can report them.
    public init(sorting labels: [Label]) {
        pairs = labels.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public init(_ dict: [String: String]) {
        self.init(sorting: dict.map { Label($0.key, $0.value) })
    }

    @inlinable
    public init(sortedUnchecked pairs: [Label]) { self.pairs = pairs }

    public var startIndex: Int { 0 }
    public var endIndex: Int { pairs.count }
    public subscript(i: Int) -> Label { pairs[i] }

    /// The value of label `name`, or nil. Binary search: label sets are small but hot.
    public subscript(name: String) -> String? {
        var lo = 0, hi = pairs.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let n = pairs[mid].name
            if n.utf8Equals(name) { return pairs[mid].value }
            if n.utf8.lexicographicallyPrecedes(name.utf8) { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    public var metricName: String? { self[metricNameLabel] }

    /// A copy without the label `name`.
    public func removing(_ name: String) -> Labels {
        Labels(sortedUnchecked: pairs.filter { !$0.name.utf8Equals(name) })
    }

    /// A copy without the labels in `names`.
    public func removing(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: pairs.filter { !names.contains($0.name) })
    }

    /// A copy keeping only the labels in `names`.
    public func keeping(_ names: Set<String>) -> Labels {
        Labels(sortedUnchecked: pairs.filter { names.contains($0.name) })
    }

    /// A copy with `name` set to `value` (or removed if `value` is empty, as in Prometheus).
    public func setting(_ name: String, _ value: String) -> Labels {
        var out = pairs.filter { !$0.name.utf8Equals(name) }
        if !value.isEmpty {
            let i = out.firstIndex { !$0.name.utf8.lexicographicallyPrecedes(name.utf8) } ?? out.count
            out.insert(Label(name, value), at: i)
        }
        return Labels(sortedUnchecked: out)
    }

    /// A copy with each of `extra`'s labels added where this set has no label
    /// of that name (Prometheus' external labels: the series' own win).
    public func addingAbsent(_ extra: Labels) -> Labels {
        var out = self
        for l in extra where self[l.name] == nil { out = out.setting(l.name, l.value) }
        return out
    }

    /// Prometheus' text form: `name{a="1", b="2"}` (values escaped).
    public var description: String {
        var s = ""
        var first = true
        let name = metricName
        if let name { s += name }
        s += "{"
        for l in pairs where l.name != metricNameLabel {
            if !first { s += ", " }
            first = false
            s += l.name
            s += "=\""
            for ch in l.value.unicodeScalars {
                switch ch {
                case "\\": s += "\\\\"
                case "\"": s += "\\\""
                case "\n": s += "\\n"
                default: s.unicodeScalars.append(ch)
                }
            }
            s += "\""
        }
        s += "}"
        return s
    }

    /// A 64-bit hash of the label bytes, the same in every process (unlike
    /// `hashValue`, which Swift seeds per process). It picks the head's lock
    /// stripe on every series lookup, so it reads 8 bytes per step: each
    /// name and value is folded in as little-endian words (the last one
    /// zero-padded, with the length in its top byte so that ("ab","c") and
    /// ("a","bc") differ), mixed by multiply-rotate, and the result goes
    /// through MurmurHash3's 64-bit finaliser.
    public var stableHash: UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3
        for l in pairs {
            h = Self.fold(l.name, into: h)
            h = Self.fold(l.value, into: h)
        }
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    @inline(__always)
    static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        return (x << 29) | (x >> 35)
    }

    @inline(__always)
    static func fold(_ s: String, into h0: UInt64) -> UInt64 {
        var h = h0
        var str = s
        str.withUTF8 { p in
            let n = p.count
            var i = 0
            let raw = UnsafeRawBufferPointer(p)
            while i + 8 <= n {
                h = mix(h, UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            var last: UInt64 = UInt64(truncatingIfNeeded: n) << 56
            var shift: UInt64 = 0
            while i < n {
                last |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h, last)
        }
        return h
    }
}
