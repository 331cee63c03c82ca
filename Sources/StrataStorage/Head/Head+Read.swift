/// Reads for queriers: consistent per-series snapshots of chunk lists. A
/// snapshot shares chunk bytes with the head (copy-on-write arrays), so it
/// stays valid while appends continue.
extension Head {
    /// Labels and the chunks of series `ref` that overlap [mint, maxt], in time order.
    public func chunks(ref: SeriesRef, mint: Int64, maxt: Int64) -> (labels: Labels, chunks: [HeadChunk])? {
        guard let s = stripes.get(ref: ref) else { return nil }
        s.lock()
        defer { s.unlock() }
        var out: [HeadChunk] = []
        for c in s.closed where c.maxTime >= mint && c.minTime <= maxt { out.append(c) }
        if s.open.count > 0 && s.open.maxTime >= mint && s.open.minTime <= maxt {
            out.append(HeadChunk(minTime: s.open.minTime, maxTime: s.open.maxTime, count: s.open.count, bytes: s.open.bytes))
        }
        return (s.labels, out)
    }

    /// Every series ref in the head, sorted.
    public func allRefs() -> [SeriesRef] { index.allRefs() }

    /// Sorted refs of series with label `name` = `value`.
    public func refs(name: String, value: String) -> [SeriesRef] { index.refs(name: name, value: value) }

    /// Postings lists of every value of `name` accepted by `keep` (unsorted list of sorted lists).
    public func refs(name: String, where keep: (String) -> Bool) -> [[SeriesRef]] { index.refs(name: name, where: keep) }

    /// Sorted label names present in the head.
    public func labelNames() -> [String] { index.names() }

    /// Sorted values of label `name` in the head.
    public func labelValues(_ name: String) -> [String] { index.values(name) }

    /// Label-name cardinalities, for `/api/v1/status/tsdb`.
    public func labelCardinality() -> [(name: String, values: Int, series: Int)] { index.cardinality() }

    /// The label pairs with the most series.
    public func topLabelPairs(limit: Int) -> [(pair: String, series: Int)] { index.valueCardinality(limit: limit) }
}
