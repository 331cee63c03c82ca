/// `histogram_quantile` over classic buckets (series with an `le` label), as
/// Prometheus 2.42's `bucketQuantile`.
enum HistogramQuantile {
    struct Bucket {
        var upperBound: Double
        var count: Double
    }

    static func evaluate(_ q: [Double], _ input: [StepSeries], steps: Int) throws(QueryError) -> [StepSeries] {
        // Group the buckets of each histogram once: labels without `le` and
        // the name, plus the name (histograms of different metrics must not merge).
        var index: [Labels: Int] = [:]
        var groups: [(labels: Labels, members: [(Int, Double)])] = []
        for (i, s) in input.enumerated() {
            guard let le = s.labels["le"], let bound = parseGoFloat(le) else { continue }
            let key = s.labels.removing("le")
            if let g = index[key] {
                groups[g].members.append((i, bound))
            } else {
                index[key] = groups.count
                groups.append((key.removing(metricNameLabel), [(i, bound)]))
            }
        }
        var out: [StepSeries] = []
        var buckets: [Bucket] = []
        for g in groups {
            var values = [Double](repeating: StepValue.absent, count: steps)
            for k in 0..<steps {
                buckets.removeAll(keepingCapacity: true)
                for (i, bound) in g.members where StepValue.isPresent(input[i].values[k]) {
                    buckets.append(Bucket(upperBound: bound, count: input[i].values[k]))
                }
                if !buckets.isEmpty { values[k] = bucketQuantile(q[k], &buckets) }
            }
            out.append(StepSeries(labels: g.labels, values: values))
        }
        LabelOps.dropEmpty(&out)
        try LabelOps.mergeSameLabels(&out, perStep: true)
        return out
    }

    static func bucketQuantile(_ q: Double, _ buckets: inout [Bucket]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        buckets.sort { $0.upperBound < $1.upperBound }
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
        coalesce(&buckets)
        ensureMonotonic(&buckets)
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations
        // sort.Search over all but the +Inf bucket: first with count >= rank.
        var lo = 0, hi = buckets.count - 1
        while lo < hi {
            let mid = (lo + hi) >> 1
            if buckets[mid].count >= rank { hi = mid } else { lo = mid + 1 }
        }
        let b = lo
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
        if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }

    /// Buckets with the same bound (e.g. `le="1"` and `le="1.0"`) add up.
    static func coalesce(_ buckets: inout [Bucket]) {
        var last = buckets[0]
        var i = 0
        for b in buckets.dropFirst() {
            if b.upperBound == last.upperBound {
                last.count += b.count
            } else {
                buckets[i] = last
                last = b
                i += 1
            }
        }
        buckets[i] = last
        buckets.removeSubrange((i + 1)...)
    }

    /// Counts must not decrease with the bound (scrapes are not atomic):
    /// a lower count is raised to the maximum seen so far.
    static func ensureMonotonic(_ buckets: inout [Bucket]) {
        var maxCount = -Double.infinity
        for i in buckets.indices {
            if buckets[i].count > maxCount {
                maxCount = buckets[i].count
            } else if buckets[i].count < maxCount {
                buckets[i].count = maxCount
            }
        }
    }

    /// Go's `strconv.ParseFloat(s, 64)` for the spellings `le` labels use.
    static func parseGoFloat(_ s: String) -> Double? {
        switch s.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        guard !s.isEmpty, !s.contains(where: { $0 == " " || $0 == "_" }) else { return nil }
        return Double(s)
    }
}
