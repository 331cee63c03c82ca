import Foundation

/// The head's inverted index: label name → value → sorted series refs,
/// updated when a series is created or garbage-collected.
final class HeadIndex: @unchecked Sendable {
    private let lock = NSLock()
    private var postings: [String: [String: [SeriesRef]]] = [:]
    private var all: [SeriesRef] = []

    func add(_ ref: SeriesRef, _ labels: Labels) {
        lock.lock()
        defer { lock.unlock() }
        Self.insertSorted(ref, into: &all)
        for l in labels {
            Self.insertSorted(ref, into: &postings[l.name, default: [:]][l.value, default: []])
        }
    }

    func remove(_ refs: Set<SeriesRef>, labels: [Labels]) {
        guard !refs.isEmpty else { return }
        // Each affected postings list is filtered once, however many of the
        // removed series carry its label pair (churn removes thousands at once).
        var pairs = Set<Label>()
        for ls in labels { for l in ls { pairs.insert(l) } }
        lock.lock()
        defer { lock.unlock() }
        all.removeAll { refs.contains($0) }
        for l in pairs {
            guard var list = postings[l.name]?[l.value] else { continue }
            list.removeAll { refs.contains($0) }
            if list.isEmpty {
                postings[l.name]![l.value] = nil
                if postings[l.name]!.isEmpty { postings[l.name] = nil }
            } else {
                postings[l.name]![l.value] = list
            }
        }
    }

    /// Refs are assigned in increasing order, so this is an append except
    /// when two creators race.
    @inline(__always)
    private static func insertSorted(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last > ref {
            var i = list.count - 1
            while i > 0 && list[i - 1] > ref { i -= 1 }
            list.insert(ref, at: i)
        } else {
            list.append(ref)
        }
    }

    func allRefs() -> [SeriesRef] {
        lock.lock()
        defer { lock.unlock() }
        return all
    }

    func refs(name: String, value: String) -> [SeriesRef] {
        lock.lock()
        defer { lock.unlock() }
        return postings[name]?[value] ?? []
    }

    /// Sorted values of label `name`.
    func values(_ name: String) -> [String] {
        lock.lock()
        let vals = postings[name].map { Array($0.keys) } ?? []
        lock.unlock()
        return vals.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    func names() -> [String] {
        lock.lock()
        let names = Array(postings.keys)
        lock.unlock()
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The union of the postings of every value of `name` for which `keep` is true.
    func refs(name: String, where keep: (String) -> Bool) -> [[SeriesRef]] {
        lock.lock()
        defer { lock.unlock() }
        guard let byValue = postings[name] else { return [] }
        var out: [[SeriesRef]] = []
        for (v, refs) in byValue where keep(v) { out.append(refs) }
        return out
    }

    /// (name, number of values, number of series) for cardinality stats.
    func cardinality() -> [(name: String, values: Int, series: Int)] {
        lock.lock()
        defer { lock.unlock() }
        return postings.map { (name, vals) in (name, vals.count, vals.values.reduce(0) { $0 + $1.count }) }
    }

    func valueCardinality(limit: Int) -> [(pair: String, series: Int)] {
        lock.lock()
        var out: [(String, Int)] = []
        for (n, vals) in postings { for (v, refs) in vals { out.append(("\(n)=\(v)", refs.count)) } }
        lock.unlock()
        out.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        return Array(out.prefix(limit))
    }
}
