import StrataStorage

/// `NodeWorkload` as rounds: round k is scrape k of every host, series
/// numbered as `NodeWorkload` numbers them (host-major, 100 per host).
extension NodeWorkload: WorkloadRounds {
    public var startMs: Int64 { start }
    public var roundIntervalMs: Int64 { scrapeIntervalMs }

    public func makeRoundGenerator() -> NodeRoundGenerator { NodeRoundGenerator(workload: self) }
}

public struct NodeRoundGenerator: WorkloadRoundGenerator {
    var scrapers: [NodeHostScraper]
    var row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)

    init(workload: NodeWorkload) {
        scrapers = (0..<workload.hosts).map { workload.scraper(host: $0) }
    }

    public mutating func next(into round: inout WorkloadRound) {
        round.removeAll()
        for h in scrapers.indices {
            let t = scrapers[h].next(into: &row)
            let base = h * NodeWorkload.seriesPerHost
            for i in 0..<NodeWorkload.seriesPerHost { round.append(series: base + i, t, row[i]) }
        }
    }
}
