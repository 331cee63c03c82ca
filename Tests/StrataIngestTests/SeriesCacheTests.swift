import Testing
import StrataCodec
@testable import StrataIngest
import StrataStorage

@Suite struct SeriesCacheTests {
    static func body(_ n: Int, t: Int64) -> [UInt8] {
        var proto: [UInt8] = []
        for i in 0..<n {
            let labels = Labels(sortedUnchecked: [Label("__name__", "node_cpu_seconds_total"), Label("cpu", String(i % 8)),
                                                  Label("instance", "host-\(i / 8).example.com:9100"), Label("job", "node"),
                                                  Label("mode", "user")])
            let ts = [t], vs = [Double(i)]
            ts.withUnsafeBufferPointer { tp in vs.withUnsafeBufferPointer { vp in
                WriteRequestEncoder.appendTimeSeries(labels: labels, timestamps: tp, values: vp, to: &proto) } }
        }
        return proto
    }

    @Test func knownSeriesAreRecognisedByTheirRawLabels() throws {
        let cache = SeriesCache()
        var decoder = WriteRequestDecoder(cache: cache)
        var first = IngestBatch()
        try decoder.decode(Self.body(1000, t: 1), into: &first)
        #expect(cache.count == 1000)
        var second = IngestBatch()
        try decoder.decode(Self.body(1000, t: 2), into: &second)
        #expect(cache.count == 1000)
        // Same labels and samples as decoding without a cache, and every series hit an entry.
        var plain = IngestBatch()
        var noCache = WriteRequestDecoder()
        try noCache.decode(Self.body(1000, t: 2), into: &plain)
        #expect(second.series == plain.series)
        #expect(second.timestamps == plain.timestamps && second.values == plain.values)
        #expect(second.series.allSatisfy { $0.cacheEntry != nil })
        #expect(zip(first.series, second.series).allSatisfy { $0.cacheEntry === $1.cacheEntry })
    }
}
