import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import StrataCodec
import StrataIngest
import StrataStorage

/// Forwards everything ingested (or what matches) to one remote-write
/// receiver, by following the WAL — the design of Prometheus' own remote-write
/// queue, so ingestion pays nothing for it.
///
/// - The position in the WAL is persisted (`<data>/remote/<name>/position.json`,
///   written atomically) only after every sample before it was accepted by
///   the receiver, and checkpoints keep the segments not yet forwarded: a
///   restart resends from there (at-least-once; receivers accept identical
///   duplicates), nothing is lost.
/// - Shards send in parallel; a series always goes to the same shard, so its
///   samples arrive in order.
/// - 5xx, 429 and connection errors are retried with exponential backoff
///   (30 ms … 5 s, Prometheus' defaults); other 4xx drop the request (the
///   receiver will never take it) and count it as failed.
/// - If the receiver falls more than `maxLagBytes` of WAL behind, the oldest
///   data is given up and counted as dropped, so the disk can't fill.
final class RemoteWriteForwarder: Service, @unchecked Sendable {
    let target: RemoteWriteTarget
    /// `global.external_labels`: added to every forwarded series that lacks the name.
    let externalLabels: Labels
    let db: Database
    let metrics: RemoteWriteMetrics
    let logger: Logger
    let matchers: [[Matcher]]
    let stateDir: String
    /// Idle wait between polls of a caught-up WAL.
    var pollInterval: Duration = .milliseconds(100)

    init(target: RemoteWriteTarget, db: Database, metrics: ServerMetrics, logger: Logger, externalLabels: Labels = Labels()) throws {
        self.target = target
        self.externalLabels = externalLabels
        self.db = db
        self.metrics = RemoteWriteMetrics(target: target, metrics: metrics)
        self.logger = logger
        matchers = try target.matchers()
        stateDir = db.directory + "/remote/" + target.name
    }

    var positionPath: String { stateDir + "/position.json" }

    func loadPosition() throws -> WALPosition {
        if let bytes = try? FileIO.readFile(positionPath), let p = try? JSONDecoder().decode(WALPosition.self, from: Data(bytes)) {
            return p
        }
        // A new receiver gets data from now on, as Prometheus does. The start
        // is made durable at once, so a crash before the first delivery
        // resends from here instead of skipping to a later "now".
        let start = try WALTailReader.end(directory: db.walDirectory) ?? WALPosition(segment: 0, offset: 0)
        try savePosition(start)
        return start
    }

    func savePosition(_ p: WALPosition) throws {
        try FileIO.mkdirs(stateDir)
        try FileIO.writeFileAtomically(positionPath, Array(try JSONEncoder().encode(p)))
    }

    /// Series seen in the log: labels and whether they are forwarded.
    struct SeriesInfo { var labels: Labels; var forward: Bool }

    func wanted(_ labels: Labels) -> Bool {
        if matchers.isEmpty { return true }
        return matchers.contains { set in set.allSatisfy { $0.matches(labels[$0.name] ?? "") } }
    }

    func run() async throws {
        var reader = WALTailReader(directory: db.walDirectory, from: try loadPosition())
        db.retainWALSegments(from: reader.position.segment, for: "remote-write/" + target.name)
        defer { db.retainWALSegments(from: nil, for: "remote-write/" + target.name) }
        var series: [SeriesRef: SeriesInfo] = [:]
        var shards = [[(ref: SeriesRef, t: Int64, v: Double)]](repeating: [], count: target.shards)
        logger.info("remote write started", metadata: ["url": "\(target.url)", "from": "\(reader.position)"])

        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            // Give up on data further behind than allowed.
            if let end = try WALTailReader.end(directory: db.walDirectory) {
                let lag = lagBytes(from: reader.position, to: end)
                if lag > target.maxLagBytes {
                    logger.warning("remote write fell too far behind; skipping to the end of the WAL", metadata: ["lagBytes": "\(lag)"])
                    metrics.dropped(segmentsFrom: reader.position, to: end)
                    reader = WALTailReader(directory: db.walDirectory, from: end)
                }
            }
            var pending = 0
            _ = try reader.poll { payload in
                switch WALRecordType(rawValue: payload.first ?? 0) {
                case .series:
                    try? WALRecord.decodeSeries(payload) { ref, labels in
                        series[ref] = SeriesInfo(labels: labels.addingAbsent(self.externalLabels), forward: self.wanted(labels))
                    }
                case .samples:
                    try? WALRecord.decodeSamples(payload) { ref, t, v in
                        var info = series[ref]
                        if info == nil, let labels = db.head.labels(of: ref) {
                            info = SeriesInfo(labels: labels.addingAbsent(self.externalLabels), forward: self.wanted(labels))
                            series[ref] = info
                        }
                        guard let info, info.forward else { return }
                        shards[Int(ref % UInt64(target.shards))].append((ref, t, v))
                        pending += 1
                    }
                default:
                    break
                }
            }
            if pending == 0 {
                try await Task.sleep(for: pollInterval)
                continue
            }
            metrics.pending.record(pending)
            let snapshot = series
            let ok = await withTaskGroup(of: Bool.self) { group -> Bool in
                for s in 0..<target.shards where !shards[s].isEmpty {
                    let samples = shards[s]
                    group.addTask { await self.send(samples, series: snapshot) }
                }
                var all = true
                for await r in group { all = all && r }
                return all
            }
            for s in 0..<target.shards { shards[s].removeAll(keepingCapacity: true) }
            metrics.pending.record(0)
            // Only move the durable position once everything before it was delivered.
            guard ok else { break }   // shutting down mid-retry: resend after restart
            try savePosition(reader.position)
            db.retainWALSegments(from: reader.position.segment, for: "remote-write/" + target.name)
        }
        logger.info("remote write stopped", metadata: ["url": "\(target.url)", "at": "\(reader.position)"])
    }

    func lagBytes(from a: WALPosition, to b: WALPosition) -> Int {
        guard a < b else { return 0 }
        if a.segment == b.segment { return b.offset - a.offset }
        var total = b.offset
        for s in a.segment..<b.segment {
            let size = (try? FileIO.fileSize(db.walDirectory + "/" + WALSegment.name(s))) ?? 0
            total += s == a.segment ? max(0, size - a.offset) : size
        }
        return total
    }

    /// Sends one shard's samples as requests of at most `maxSamplesPerSend`,
    /// grouped by series. False if interrupted by shutdown before delivering.
    func send(_ samples: [(ref: SeriesRef, t: Int64, v: Double)], series: [SeriesRef: SeriesInfo]) async -> Bool {
        // Group by series, keeping each series' samples in order.
        var order: [SeriesRef] = []
        var bySeries: [SeriesRef: (ts: [Int64], vs: [Double])] = [:]
        for s in samples {
            if bySeries[s.ref] == nil { order.append(s.ref); bySeries[s.ref] = ([], []) }
            bySeries[s.ref]!.ts.append(s.t)
            bySeries[s.ref]!.vs.append(s.v)
        }
        var proto: [UInt8] = []
        var inRequest = 0
        var highest = Int64.min
        for (i, ref) in order.enumerated() {
            guard let labels = series[ref]?.labels, let (ts, vs) = bySeries[ref] else { continue }
            ts.withUnsafeBufferPointer { t in
                vs.withUnsafeBufferPointer { v in
                    WriteRequestEncoder.appendTimeSeries(labels: labels, timestamps: t, values: v, to: &proto)
                }
            }
            inRequest += ts.count
            highest = max(highest, ts.last ?? .min)
            if inRequest >= target.maxSamplesPerSend || i == order.count - 1 {
                guard await deliver(proto, samples: inRequest, highest: highest) else { return false }
                proto.removeAll(keepingCapacity: true)
                inRequest = 0
            }
        }
        return true
    }

    /// One request, retried until accepted, refused for good, or shutdown.
    func deliver(_ proto: [UInt8], samples: Int, highest: Int64) async -> Bool {
        var body: [UInt8] = []
        Snappy.compress(proto, into: &body)
        var backoff: Duration = .milliseconds(30)
        while true {
            // On shutdown, stop without advancing: the batch is resent after restart.
            if Task.isCancelled || Task.isShuttingDownGracefully { return false }
            var req = HTTPClientRequest(url: target.url)
            req.method = .POST
            req.headers.add(name: "Content-Type", value: "application/x-protobuf")
            req.headers.add(name: "Content-Encoding", value: "snappy")
            req.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
            req.headers.add(name: "User-Agent", value: "Strata/\(StatusHandlers.version)")
            for (k, v) in target.headers { req.headers.add(name: k, value: v) }
            req.body = .bytes(ByteBuffer(bytes: body))
            var retryable = true
            var status = 0
            do {
                let resp = try await HTTPClient.shared.execute(req, timeout: .seconds(10))
                status = Int(resp.status.code)
                _ = try? await resp.body.collect(upTo: 1 << 20)
                if (200..<300).contains(status) {
                    metrics.sent(samples, highest: highest)
                    return true
                }
                retryable = status >= 500 || status == 429
            } catch {
                retryable = true
            }
            if !retryable {
                metrics.failed(samples)
                logger.warning("remote write refused by receiver; dropping request", metadata: ["status": "\(status)", "samples": "\(samples)"])
                return true
            }
            metrics.retried(samples)
            do { try await Task.sleep(for: backoff) } catch { return false }
            backoff = min(backoff * 2, .seconds(5))
        }
    }
}
