import Foundation
import Hummingbird
import StrataEvents
import StrataStorage

/// `/api/v1/admin/tsdb/*` and `/api/v1/status/tsdb`.
struct AdminHandlers: Sendable {
    let db: Database
    let audit: AuditLog

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/admin/tsdb/flush") { _, ctx in try await flush(ctx) }
        router.put("/api/v1/admin/tsdb/flush") { _, ctx in try await flush(ctx) }
        router.post("/api/v1/admin/tsdb/compact") { _, ctx in try await compact(ctx) }
        router.get("/api/v1/status/tsdb") { req, _ in status(req) }
    }

    /// Runs compaction, rollups and retention to completion (`Database.compact`); audited.
    func compact(_ ctx: StrataRequestContext) async throws -> Response {
        let db = self.db
        let report: CompactionReport
        do {
            report = try await offPool { try db.compact() }
        } catch {
            await audit.record(type: .dataModification, action: "compact", outcome: .failure("\(error)"),
                               source: ctx.remoteAddress, description: "compaction failed")
            throw error
        }
        await audit.record(type: .dataModification, action: "compact", outcome: .success, source: ctx.remoteAddress,
                           description: "compacted \(report.tasks.count) task(s)",
                           attributes: ["tasks": String(report.tasks.count), "deleted": String(report.deletedByTime.count + report.deletedBySize.count)])
        return APIResponse.success { w in
            w.raw("{\"tasks\":")
            w.int(report.tasks.count)
            w.raw(",\"rollupBlocks\":")
            w.int(report.rollupBlocks.count)
            w.raw(",\"deletedBlocks\":")
            w.int(report.deletedByTime.count + report.deletedBySize.count)
            w.raw(",\"samplesWritten\":")
            w.int(report.samplesWritten)
            w.raw(",\"seconds\":")
            w.number(report.seconds)
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// Persists the whole head into blocks; answers once they are durable.
    /// Audited (issue #10) with the caller's address and the result.
    func flush(_ ctx: StrataRequestContext) async throws -> Response {
        let db = self.db
        // Block writing is CPU and fsync heavy: keep it off the cooperative pool.
        let metas: [BlockMeta]
        do {
            metas = try await withCheckedThrowingContinuation { cont in
                DispatchQueue.global().async {
                    do { cont.resume(returning: try db.flush()) } catch { cont.resume(throwing: error) }
                }
            }
        } catch {
            await audit.record(type: .dataModification, action: "flush", outcome: .failure("\(error)"),
                               source: ctx.remoteAddress, description: "flush of the TSDB head failed")
            throw error
        }
        await audit.record(type: .dataModification, action: "flush", outcome: .success, source: ctx.remoteAddress,
                           description: "flushed the TSDB head into \(metas.count) block(s)",
                           attributes: ["blocks": String(metas.count), "samples": String(metas.reduce(0) { $0 + $1.stats.samples })])
        return APIResponse.success { w in
            w.raw("{\"blocks\":[")
            for (i, m) in metas.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"id\":")
                w.string(m.id)
                w.raw(",\"minTime\":")
                w.int64(m.minTime)
                w.raw(",\"maxTime\":")
                w.int64(m.maxTime)
                w.raw(",\"series\":")
                w.int(m.stats.series)
                w.raw(",\"samples\":")
                w.int(m.stats.samples)
                w.raw(",\"bytes\":")
                w.int(m.stats.chunkBytes + m.stats.indexBytes)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("]}")
        }
    }

    /// Prometheus' TSDB status shape, plus Strata's block and WAL health.
    func status(_ req: Request) -> Response {
        let limit = FormParameters(query: req.uri.query)["limit"].flatMap(Int.init) ?? 10
        let head = db.head
        let card = head.labelCardinality()
        var byMetric: [(String, Int)] = []
        for v in head.labelValues(metricNameLabel) {
            byMetric.append((v, head.refs(name: metricNameLabel, value: v).count))
        }
        byMetric.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let valueCounts = card.map { ($0.name, $0.values) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        let pairs = head.topLabelPairs(limit: limit)
        let blocks = db.blocks
        return APIResponse.success { w in
            w.raw("{\"headStats\":{\"numSeries\":")
            w.int(head.seriesCount)
            w.raw(",\"numLabelPairs\":")
            w.int(card.reduce(0) { $0 + $1.values })
            w.raw(",\"chunkCount\":")
            w.int(head.chunkCount)
            w.raw(",\"minTime\":")
            w.int64(head.minTime ?? 0)
            w.raw(",\"maxTime\":")
            w.int64(head.maxTime ?? 0)
            w.raw("},\"seriesCountByMetricName\":")
            nameValues(&w, byMetric.prefix(limit))
            w.raw(",\"labelValueCountByLabelName\":")
            nameValues(&w, valueCounts.prefix(limit))
            w.raw(",\"memoryInBytesByLabelName\":[]")
            w.raw(",\"seriesCountByLabelValuePair\":")
            nameValues(&w, pairs.map { ($0.pair, $0.series) }.prefix(limit))
            w.raw(",\"blocks\":[")
            for (i, b) in blocks.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"id\":")
                w.string(b.id)
                w.raw(",\"minTime\":")
                w.int64(b.minTime)
                w.raw(",\"maxTime\":")
                w.int64(b.maxTime)
                w.raw(",\"resolution\":")
                w.int64(b.meta.resolution)
                w.raw(",\"samples\":")
                w.int(b.meta.stats.samples)
                w.raw(",\"bytes\":")
                w.int(b.sizeOnDisk)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("],\"quarantinedBlocks\":[")
            for (i, q) in db.quarantined.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"id\":")
                w.string(q.block)
                w.raw(",\"error\":")
                w.string(q.description)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("],\"wal\":{\"corruptionsRepaired\":")
            w.int(db.replayStats.wal.corruptions.count)
            w.raw(",\"replayedSamples\":")
            w.int(db.replayStats.samples)
            w.raw(",\"replaySeconds\":")
            w.number(db.replayStats.seconds)
            w.raw("}}")
        }
    }

    private func nameValues(_ w: inout JSONWriter, _ items: some Sequence<(String, Int)>) {
        w.byte(UInt8(ascii: "["))
        var first = true
        for (n, v) in items {
            if !first { w.byte(UInt8(ascii: ",")) }
            first = false
            w.raw("{\"name\":")
            w.string(n)
            w.raw(",\"value\":")
            w.int(v)
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }
}
