extension TargetResult {
    /// One result from several repetitions of the same target: the median of
    /// each figure (nearest rank), query percentiles over all timed runs
    /// pooled, digests and answers from the first repetition. Repeating and
    /// taking medians keeps a burst of other work on a shared machine from
    /// deciding a figure.
    public static func median(of reps: [TargetResult]) -> TargetResult {
        precondition(!reps.isEmpty)
        var out = reps[0]
        out.repetitions = reps.count
        out.error = reps.compactMap(\.error).first
        let ok = reps.filter { $0.ingest != nil }
        out.ingestRatesPerRepetition = ok.compactMap { $0.ingest?.samplesPerSecond }
        guard !ok.isEmpty else { return out }
        func med(_ xs: [Double]) -> Double? { Percentile.of(xs, 50) }
        func medInt(_ xs: [Int]) -> Int? { Percentile.of(xs.map(Double.init), 50).map { Int($0) } }

        // The ingest of the repetition with the median rate, failures summed.
        let byRate = ok.sorted { $0.ingest!.samplesPerSecond < $1.ingest!.samplesPerSecond }
        var ingest = byRate[(byRate.count - 1) / 2].ingest!
        ingest.failedRequests = ok.reduce(0) { $0 + $1.ingest!.failedRequests }
        ingest.retries = ok.reduce(0) { $0 + $1.ingest!.retries }
        ingest.firstError = ok.compactMap { $0.ingest?.firstError }.first
        ingest.timedOut = ok.contains { $0.ingest!.timedOut }
        out.ingest = ingest
        out.flushSeconds = med(ok.compactMap(\.flushSeconds))
        let cpus = ok.compactMap(\.cpu)
        if !cpus.isEmpty {
            out.cpu = CPUSeconds(
                ingest: med(cpus.map(\.ingest))!, flush: med(cpus.map(\.flush))!,
                queries: med(cpus.map(\.queries))!, total: med(cpus.map(\.total))!)
        }
        let mems = ok.compactMap(\.memory)
        if !mems.isEmpty {
            out.memory = Memory(
                peakRSSAfterIngestBytes: medInt(mems.map(\.peakRSSAfterIngestBytes))!,
                peakRSSBytes: medInt(mems.map(\.peakRSSBytes))!)
        }
        let st = ok.compactMap(\.storage)
        if !st.isEmpty {
            out.storage = Storage(
                blockBytes: medInt(st.compactMap(\.blockBytes)), dataDirBytes: medInt(st.compactMap(\.dataDirBytes)),
                blockBytesPerSample: med(st.compactMap(\.blockBytesPerSample)),
                dataDirBytesPerSample: med(st.compactMap(\.dataDirBytesPerSample)))
        }
        // A store that lost samples in any repetition shows its worst count.
        out.storedSamples = ok.compactMap(\.storedSamples).min()
        out.queries = ok[0].queries.map { first in
            var m = first
            let all = ok.compactMap { $0.query(first.name) }
            m.timesMs = all.flatMap(\.timesMs)
            m.runs = m.timesMs.count
            m.p50Ms = Percentile.of(m.timesMs, 50)
            m.p95Ms = Percentile.of(m.timesMs, 95)
            m.minMs = m.timesMs.min()
            m.maxMs = m.timesMs.max()
            m.serverCPUMsPerRun = med(all.compactMap(\.serverCPUMsPerRun))
            m.error = all.compactMap(\.error).first
            if all.contains(where: { $0.digest != first.digest }) {
                m.digestsPerRepetition = all.map { $0.digest ?? "-" }
            }
            return m
        }
        return out
    }
}
