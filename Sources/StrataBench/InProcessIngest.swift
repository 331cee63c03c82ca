import Foundation
import Logging
import StrataCodec
import StrataIngest
import StrataStorage

/// The ingest phase without HTTP: the same generated remote-write requests
/// (snappy + protobuf) decoded and committed straight into a `Database` in
/// this process, one task per connection, paced like the HTTP runner. It
/// separates what the engine costs from what the HTTP stack costs: the
/// difference to Strata's HTTP figure is the server's share.
///
/// The WAL is on with the server's default fsync policy; series handles are
/// cached per connection by raw label bytes, as the server's decoder does.
/// Bounded: every request is committed once, nothing after the timeout.
public struct InProcessIngest: Sendable {
    public struct Result: Sendable, Codable {
        public var samples: Int
        public var seconds: Double
        public var samplesPerSecond: Double
        /// This process's CPU (user + system) during the ingest.
        public var cpuSeconds: Double
        public var samplesPerCPUSecond: Double
        public var flushSeconds: Double
        public var blockBytes: Int
        public var blockBytesPerSample: Double
        public var rejected: Int
        public var timedOut: Bool
    }

    let directory: String
    let timeoutSeconds: Double
    let maxLeadRounds: Int

    public init(directory: String, timeoutSeconds: Double, maxLeadRounds: Int) {
        self.directory = directory
        self.timeoutSeconds = timeoutSeconds
        self.maxLeadRounds = maxLeadRounds
    }

    final class Totals: @unchecked Sendable {
        let lock = NSLock()
        var samples = 0
        var rejected = 0
        var timedOut = false
        var error: String?
    }

    public func run(_ load: GeneratedLoad, progress: ProgressLine) async throws -> Result {
        let db = try Database.open(directory: directory, logger: Logger(label: "bench-inprocess", factory: { _ in SwiftLogNoOpLogHandler() }))
        let pacer = IngestPacer(
            firstRounds: load.connections.map { $0.first?.firstRound ?? Int.max }, maxLeadRounds: maxLeadRounds)
        let totals = Totals()
        let start = ContinuousClock.now
        let cpu0 = Self.processCPUSeconds()
        let deadline = start + .milliseconds(Int(timeoutSeconds * 1000))
        await withTaskGroup(of: Void.self) { group in
            for (c, bodies) in load.connections.enumerated() {
                group.addTask {
                    var decoder = WriteRequestDecoder(cache: SeriesCache())
                    var batch = IngestBatch()
                    var scratch: [UInt8] = []
                    var handles: [SeriesHandle] = []
                    for (i, body) in bodies.enumerated() {
                        await pacer.waitForTurn(connection: c, round: body.firstRound)
                        if ContinuousClock.now > deadline {
                            totals.lock.withLock { totals.timedOut = true }
                            break
                        }
                        do {
                            batch.reset()
                            try decoder.decode(snappyBody: body.bytes, scratch: &scratch, into: &batch)
                            handles.removeAll(keepingCapacity: true)
                            for s in batch.series { handles.append(try s.headSeries(in: db.head)) }
                            var app = db.appender()
                            app.reserveCapacity(batch.sampleCount)
                            for (si, s) in batch.series.enumerated() {
                                for k in s.samples { app.append(handles[si], batch.timestamps[k], batch.values[k]) }
                            }
                            let r = try await app.commit()
                            let sent = totals.lock.withLock {
                                totals.samples += batch.sampleCount - r.rejected.count
                                totals.rejected += r.rejected.count
                                return totals.samples
                            }
                            progress.update(done: sent, total: load.samples)
                        } catch {
                            totals.lock.withLock { if totals.error == nil { totals.error = "\(error)" } }
                        }
                        let next = i + 1 < bodies.count ? bodies[i + 1].firstRound : Int.max
                        await pacer.advance(connection: c, to: next)
                    }
                    await pacer.advance(connection: c, to: Int.max)
                }
            }
        }
        let seconds = ProgressLine.seconds(ContinuousClock.now - start)
        let cpu = Self.processCPUSeconds() - cpu0
        let flushStart = ContinuousClock.now
        let metas = try db.flush()
        let flushSeconds = ProgressLine.seconds(ContinuousClock.now - flushStart)
        _ = metas
        try db.close()
        if let e = totals.lock.withLock({ totals.error }) { throw BenchError.io("in-process ingest: \(e)") }
        let blocks = DirectorySize.subdirectories(directory + "/blocks").filter { !$0.hasSuffix(".tmp") }
            .reduce(DirectorySize()) { $0 + DirectorySize.measure(directory + "/blocks/" + $1) }
        return totals.lock.withLock {
            let stored = Double(max(1, totals.samples - load.staleMarkers))
            return Result(
                samples: totals.samples, seconds: seconds,
                samplesPerSecond: seconds > 0 ? Double(totals.samples) / seconds : 0,
                cpuSeconds: cpu, samplesPerCPUSecond: cpu > 0 ? Double(totals.samples) / cpu : 0,
                flushSeconds: flushSeconds, blockBytes: blocks.apparentBytes,
                blockBytesPerSample: Double(blocks.apparentBytes) / stored,
                rejected: totals.rejected, timedOut: totals.timedOut)
        }
    }

    static func processCPUSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6
            + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }
}
