// Cost of the remote-write ingest path in-process, per stage, on the node
// workload: snappy + protobuf decode, series lookup, append + commit.
//
//   swift run -c release IngestReport [samplesPerRequest] [samplesPerSeries]

import Foundation
import StrataCodec
import StrataIngest
import StrataStorage
import StrataTestSupport

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func report() async throws {
    let args = CommandLine.arguments
    let perRequest = args.count > 1 ? Int(args[1]) ?? 5000 : 5000
    let perSeries = args.count > 2 ? Int(args[2]) ?? 1 : 1
    let w = NodeWorkload(hosts: 20, start: 1_764_367_200_000)
    let scrapes = 720  // 3 h
    // Build requests: time-ordered, `perSeries` consecutive scrapes per series per request.
    var bodies: [[UInt8]] = []
    var proto: [UInt8] = []
    var inReq = 0
    var total = 0
    let hostData = (0..<w.hosts).map { w.hostSamples(host: $0, scrapes: 0..<scrapes) }
    var k = 0
    while k < scrapes {
        let kEnd = min(k + perSeries, scrapes)
        for h in 0..<w.hosts {
            for i in 0..<NodeWorkload.seriesPerHost {
                let ts = Array(hostData[h].timestamps[k..<kEnd]), vs = Array(hostData[h].values[i][k..<kEnd])
                ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in
                    WriteRequestEncoder.appendTimeSeries(labels: w.labels(series: h * 100 + i), timestamps: t, values: v, to: &proto) } }
                inReq += ts.count
                total += ts.count
                if inReq >= perRequest {
                    var b: [UInt8] = []
                    Snappy.compress(proto, into: &b)
                    bodies.append(b)
                    proto.removeAll(keepingCapacity: true)
                    inReq = 0
                }
            }
        }
        k = kEnd
    }
    if inReq > 0 { var b: [UInt8] = []; Snappy.compress(proto, into: &b); bodies.append(b) }

    let tmp = try TempDirectory("strata-ingest-report")
    defer { tmp.remove() }
    let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
    var decodeCPU = 0.0, lookupCPU = 0.0, commitCPU = 0.0
    var batch = IngestBatch()
    var scratch: [UInt8] = []
    let useCache = args.count > 3 ? args[3] != "nocache" : true
    var decoder = WriteRequestDecoder(cache: useCache ? SeriesCache() : nil)
    var handles: [SeriesHandle] = []
    for body in bodies {
        let c0 = cpuSeconds()
        batch.reset()
        try decoder.decode(snappyBody: body, scratch: &scratch, into: &batch)
        let c1 = cpuSeconds()
        handles.removeAll(keepingCapacity: true)
        for s in batch.series { handles.append(try s.headSeries(in: db.head)) }
        let c2 = cpuSeconds()
        var app = db.appender()
        app.reserveCapacity(batch.sampleCount)
        for (si, s) in batch.series.enumerated() {
            for i in s.samples { app.append(handles[si], batch.timestamps[i], batch.values[i]) }
        }
        let r = try await app.commit()
        precondition(r.rejected.isEmpty)
        let c3 = cpuSeconds()
        decodeCPU += c1 - c0
        lookupCPU += c2 - c1
        commitCPU += c3 - c2
    }
    let n = Double(total)
    var hits = 0
    print("cache entries: \(decoder.cache?.count ?? 0)")
    _ = hits
    print("\(bodies.count) requests of ~\(perRequest) samples, \(perSeries) sample(s) per series per request, \(total) samples")
    print(String(format: "decode (snappy + protobuf): %.0f ns/sample", decodeCPU / n * 1e9))
    print(String(format: "series lookup by labels:    %.0f ns/sample", lookupCPU / n * 1e9))
    print(String(format: "append + commit (WAL):      %.0f ns/sample", commitCPU / n * 1e9))
    print(String(format: "total:                      %.0f ns/sample = %.2f M samples per CPU-second",
                 (decodeCPU + lookupCPU + commitCPU) / n * 1e9, n / (decodeCPU + lookupCPU + commitCPU) / 1e6))
    try db.close()
}

try await report()
