import StrataCodec

/// Selects series over the head and a set of blocks for one time range.
///
/// Matcher semantics follow Prometheus' `PostingsForMatchers`: a matcher that
/// does not match the empty string selects the union of the postings of the
/// values it matches; one that does (e.g. `a!="x"`, `a=~"x|"`) also selects
/// series without the label, so it subtracts the postings of the values it
/// rejects. With no matcher of the first kind, the base set is every series.
public struct Querier: Sendable {
    public let head: Head?
    public let blocks: [BlockReader]
    public let mint: Int64
    public let maxt: Int64

    public init(head: Head?, blocks: [BlockReader], mint: Int64, maxt: Int64) {
        self.head = head
        self.blocks = blocks
        self.mint = mint
        self.maxt = maxt
    }

    /// Series matching all `matchers` with data in [mint, maxt], sorted by labels,
    /// merged across head and blocks.
    public func select(_ matchers: [Matcher]) -> [StorageSeries] {
        var byLabels: [Labels: Int] = [:]
        var out: [(labels: Labels, chunks: [ChunkMeta])] = []
        func add(_ labels: Labels, _ chunks: [ChunkMeta]) {
            if let i = byLabels[labels] {
                out[i].chunks.append(contentsOf: chunks)
            } else {
                byLabels[labels] = out.count
                out.append((labels, chunks))
            }
        }
        var decoder = ChunkIterator()
        for b in blocks {
            let tombstones = b.tombstones
            for id in Self.blockPostings(b, matchers) {
                let s = b.series[Int(id)]
                var cs: [ChunkMeta] = []
                for c in s.chunks where c.maxTime >= mint && c.minTime <= maxt {
                    cs.append(ChunkMeta(minTime: c.minTime, maxTime: c.maxTime,
                                        source: .columns(b, timestamps: c.timestampsRef, values: c.valuesRef)))
                }
                if let deleted = tombstones[UInt64(id)] { cs = Self.removeDeleted(cs, deleted, decoder: &decoder) }
                if !cs.isEmpty { add(s.labels, cs) }
            }
        }
        if let head {
            let tombstones = head.tombstoneSnapshot
            for ref in Self.headPostings(head, matchers) {
                guard let snap = head.chunks(ref: ref, mint: mint, maxt: maxt), !snap.chunks.isEmpty else { continue }
                var cs = snap.chunks.map { ChunkMeta(minTime: $0.minTime, maxTime: $0.maxTime, source: .xor($0.bytes)) }
                if let deleted = tombstones[ref] { cs = Self.removeDeleted(cs, deleted, decoder: &decoder) }
                if !cs.isEmpty { add(snap.labels, cs) }
            }
        }
        out.sort { $0.labels < $1.labels }
        return out.map { e in
            var chunks = e.chunks
            if chunks.count > 1 { chunks.sort { $0.minTime < $1.minTime } }
            return StorageSeries(labels: e.labels, chunks: chunks, mint: mint, maxt: maxt)
        }
    }

    /// Label sets of matching series (no samples decoded), for `/api/v1/series`.
    public func series(_ matchers: [Matcher]) -> [Labels] {
        var set = Set<Labels>()
        var decoder = ChunkIterator()
        for b in blocks {
            let tombstones = b.tombstones
            for id in Self.blockPostings(b, matchers) {
                let s = b.series[Int(id)]
                if let deleted = tombstones[UInt64(id)] {
                    let cs = s.chunks.filter { $0.maxTime >= mint && $0.minTime <= maxt }.map {
                        ChunkMeta(minTime: $0.minTime, maxTime: $0.maxTime, source: .columns(b, timestamps: $0.timestampsRef, values: $0.valuesRef))
                    }
                    if !Self.removeDeleted(cs, deleted, decoder: &decoder).isEmpty { set.insert(s.labels) }
                } else if s.chunks.contains(where: { $0.maxTime >= mint && $0.minTime <= maxt }) {
                    set.insert(s.labels)
                }
            }
        }
        if let head {
            let tombstones = head.tombstoneSnapshot
            for ref in Self.headPostings(head, matchers) {
                guard let snap = head.chunks(ref: ref, mint: mint, maxt: maxt), !snap.chunks.isEmpty else { continue }
                if let deleted = tombstones[ref] {
                    let cs = snap.chunks.map { ChunkMeta(minTime: $0.minTime, maxTime: $0.maxTime, source: .xor($0.bytes)) }
                    if Self.removeDeleted(cs, deleted, decoder: &decoder).isEmpty { continue }
                }
                set.insert(snap.labels)
            }
        }
        return set.sorted()
    }

    /// Sorted label names, of all series in range or of those matching `matchers`.
    public func labelNames(_ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty {
            var names = Set<String>()
            for b in blocks { names.formUnion(b.labelNames()) }
            if let head { names.formUnion(head.labelNames()) }
            return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        var names = Set<String>()
        for ls in series(matchers) { for l in ls { names.insert(l.name) } }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Sorted values of label `name`, of all series in range or of those matching `matchers`.
    public func labelValues(_ name: String, _ matchers: [Matcher] = []) -> [String] {
        if matchers.isEmpty {
            var values = Set<String>()
            for b in blocks { values.formUnion(b.labelValues(name)) }
            if let head { values.formUnion(head.labelValues(name)) }
            return values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        var values = Set<String>()
        for ls in series(matchers) { if let v = ls[name] { values.insert(v) } }
        return values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    // MARK: postings

    /// Resolves matchers to a sorted list of ids through one index's postings.
    /// `lookup(name, value)` gives one value's postings, `scan(name, keep)` the
    /// postings of every value `keep` accepts, `all()` every id.
    @inline(__always)
    static func resolve<T: FixedWidthInteger & UnsignedInteger>(
        _ matchers: [Matcher],
        lookup: (String, String) -> [T],
        scan: (String, (String) -> Bool) -> [[T]],
        all: () -> [T]
    ) -> [T] {
        var intersect: [[T]] = []
        var subtract: [[T]] = []
        var tmp: [T] = []
        for m in matchers {
            if !m.matchesEmpty {
                if m.type == .equal {
                    intersect.append(lookup(m.name, m.value))
                } else if let set = m.setMatches {
                    Postings.union(set.map { lookup(m.name, $0) }, into: &tmp)
                    intersect.append(tmp)
                } else {
                    Postings.union(scan(m.name, { m.matches($0) }), into: &tmp)
                    intersect.append(tmp)
                }
            } else {
                Postings.union(scan(m.name, { !m.matches($0) }), into: &tmp)
                if !tmp.isEmpty { subtract.append(tmp) }
            }
            if let last = intersect.last, last.isEmpty { return [] }
        }
        var result: [T] = []
        if intersect.isEmpty {
            result = all()
        } else {
            Postings.intersect(intersect, into: &result)
        }
        for s in subtract {
            Postings.subtract(result, s, into: &tmp)
            swap(&result, &tmp)
        }
        return result
    }

    static func headPostings(_ head: Head, _ matchers: [Matcher]) -> [SeriesRef] {
        resolve(matchers,
                lookup: { head.refs(name: $0, value: $1) },
                scan: { head.refs(name: $0, where: $1) },
                all: { head.allRefs() })
    }

    static func blockPostings(_ b: BlockReader, _ matchers: [Matcher]) -> [UInt32] {
        resolve(matchers,
                lookup: { Array(b.ids(name: $0, value: $1)) },
                scan: { name, keep in b.ids(name: name, where: keep).map(Array.init) },
                all: { (0..<UInt32(b.series.count)).map { $0 } })
    }
}
