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

    /// A stable 64-bit hash of the label bytes (FNV-1a folded over 8-byte
    /// words would be faster; this is called once per series lookup, not per
    /// sample, so clarity wins). Stable across processes, unlike `hashValue`.
    public var stableHash: UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for l in pairs {
            for b in l.name.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
            h = (h ^ 0xff) &* 0x0000_0100_0000_01b3
            for b in l.value.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
            h = (h ^ 0xfe) &* 0x0000_0100_0000_01b3
        }
        return h
    }
}
