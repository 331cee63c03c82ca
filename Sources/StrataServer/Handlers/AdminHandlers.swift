import Foundation
import Hummingbird
import NIOCore
import StrataEvents
import StrataStorage

/// `/api/v1/admin/tsdb/*` and `/api/v1/status/tsdb`.
struct AdminHandlers: Sendable {
    let db: Database
    let audit: AuditLog
    /// Largest backfill body accepted.
    var maxImportBytes = 256 << 20

    /// A failed block write in Prometheus' error envelope: 507 when the disk
    /// is full (the head keeps the data, the WAL still has it; retry once space
    /// is freed), 500 otherwise.
    static func storageFailure(_ what: String, _ error: any Error) -> APIError {
        if let e = error as? StrataStorage.IOError, e.isNoSpace {
            return APIError(.unavailable, "\(what): no space left on device, nothing was lost; retry once space is freed (\(e))",
                            status: .init(code: 507, reasonPhrase: "Insufficient Storage"))
        }
        return APIError(.internalError, "\(what): \(error)")
    }

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/admin/tsdb/flush") { _, ctx in try await flush(ctx) }
        router.put("/api/v1/admin/tsdb/flush") { _, ctx in try await flush(ctx) }
        router.get("/api/v1/status/tsdb") { req, _ in status(req) }
        // Issue #5: as Prometheus' TSDB admin API (POST and PUT), plus `compact`.
        router.post("/api/v1/admin/tsdb/delete_series") { req, ctx in try await deleteSeries(req, ctx) }
        router.put("/api/v1/admin/tsdb/delete_series") { req, ctx in try await deleteSeries(req, ctx) }
        router.post("/api/v1/admin/tsdb/clean_tombstones") { _, ctx in try await cleanTombstones(ctx) }
        router.put("/api/v1/admin/tsdb/clean_tombstones") { _, ctx in try await cleanTombstones(ctx) }
        router.post("/api/v1/admin/tsdb/compact") { _, ctx in try await compact(ctx) }
        router.put("/api/v1/admin/tsdb/compact") { _, ctx in try await compact(ctx) }
        router.post("/api/v1/admin/tsdb/import") { req, ctx in try await backfill(req, ctx) }
    }

    /// Backfill (issue #5): `POST /api/v1/admin/tsdb/import?format=openmetrics|text|csv|json`
    /// writes the body's samples straight into blocks (not through the head),
    /// visible when the answer comes; the next compaction merges and rolls them up.
    func backfill(_ request: Request, _ ctx: StrataRequestContext) async throws -> Response {
        var req = request
        let p = FormParameters(query: req.uri.query)
        let name = p["format"] ?? "openmetrics"
        guard let format = BackfillFormat(rawValue: name) else {
            throw APIError(.badData, "invalid parameter \"format\": \"\(name)\" is not one of "
                           + BackfillFormat.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let buf: ByteBuffer
        do {
            buf = try await req.collectBody(upTo: maxImportBytes)
        } catch {
            throw APIError(.tooLarge, "import body larger than \(maxImportBytes) bytes: use `strata import` on the data directory")
        }
        let bytes = Array(buf.readableBytesView)
        let db = self.db
        let now = nowMillis()
        let report: ImportReport
        do {
            report = try await offPool { try Backfill.load(bytes, format: format, into: db, defaultTimestamp: now) }
        } catch let e as BackfillError {
            throw APIError(.badData, e.message)
        } catch {
            throw APIError(.badData, "import: \(error)")
        }
        await audit.record(type: .dataModification, action: "backfill", outcome: .success, source: ctx.remoteAddress,
                           description: "imported \(report.samples) samples of \(report.series) series into \(report.blocks.count) block(s)")
        return APIResponse.success { w in
            w.raw("{\"series\":")
            w.int(report.series)
            w.raw(",\"samples\":")
            w.int(report.samples)
            w.raw(",\"blocks\":")
            stringArray(&w, report.blocks.map(\.id))
            w.raw(",\"seconds\":")
            w.number(report.seconds)
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// Marks the samples of the matching series in [start, end] deleted
    /// (tombstones; compaction drops them). Each `match[]` is its own
    /// selection, as in Prometheus. 204 on success.
    func deleteSeries(_ request: Request, _ ctx: StrataRequestContext) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        let sets = try QueryHandlers.matchers(p, required: true)
        let start = try QueryHandlers.time(p, "start", default: TimeParameters.minTime)
        let end = try QueryHandlers.time(p, "end", default: TimeParameters.maxTime)
        let db = self.db
        let marked: Int
        do {
            marked = try await offPool {
                var n = 0
                for m in sets { n += try db.deleteSeries(matchers: m, mint: start, maxt: end) }
                return n
            }
        } catch {
            await audit.record(type: .dataModification, action: "delete_series", outcome: .failure("\(error)"),
                               source: ctx.remoteAddress, description: "deleting series failed")
            throw APIError(.internalError, "delete_series: \(error)")
        }
        await audit.record(type: .dataModification, action: "delete_series", outcome: .success, source: ctx.remoteAddress,
                           description: "deleted samples of \(marked) series",
                           attributes: ["match": p.all("match[]").joined(separator: " "), "start": String(start), "end": String(end)])
        return APIResponse.noContent()
    }

    /// Rewrites the blocks that have tombstones without their deleted samples. 204.
    func cleanTombstones(_ ctx: StrataRequestContext) async throws -> Response {
        let db = self.db
        let report: CompactionReport
        do {
            report = try await offPool { try db.cleanTombstones() }
        } catch {
            throw APIError(.internalError, "clean_tombstones: \(error)")
        }
        await audit.record(type: .dataModification, action: "clean_tombstones", outcome: .success, source: ctx.remoteAddress,
                           description: "rewrote \(report.tasks.count) block(s) without deleted samples")
        return APIResponse.noContent()
    }

    /// Runs compaction, rollups and retention to completion and answers
    /// what they did (waits for a background round in progress).
    func compact(_ ctx: StrataRequestContext) async throws -> Response {
        let db = self.db
        let report: CompactionReport
        do {
            report = try await offPool { try db.compact() }
        } catch {
            throw Self.storageFailure("compact", error)
        }
        await audit.record(type: .dataModification, action: "compact", outcome: .success, source: ctx.remoteAddress,
                           description: "compacted \(report.tasks.count) task(s), \(report.rollupBlocks.count) rollup block(s), "
                               + "\(report.deletedByTime.count + report.deletedBySize.count) block(s) deleted by retention")
        return APIResponse.success { w in
            w.raw("{\"merged\":[")
            for (i, t) in report.tasks.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"reason\":")
                w.string("\(t.reason)")
                w.raw(",\"sources\":")
                stringArray(&w, t.sources)
                w.raw(",\"minTime\":")
                w.int64(t.minTime)
                w.raw(",\"maxTime\":")
                w.int64(t.maxTime)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("],\"rollupBlocks\":")
            stringArray(&w, report.rollupBlocks)
            w.raw(",\"deletedByTime\":")
            stringArray(&w, report.deletedByTime)
            w.raw(",\"deletedBySize\":")
            stringArray(&w, report.deletedBySize)
            w.raw(",\"samplesRead\":")
            w.int(report.samplesRead)
            w.raw(",\"samplesWritten\":")
            w.int(report.samplesWritten)
            w.raw(",\"seconds\":")
            w.number(report.seconds)
            w.byte(UInt8(ascii: "}"))
        }
    }

    private func stringArray(_ w: inout JSONWriter, _ items: [String]) {
        w.byte(UInt8(ascii: "["))
        for (i, s) in items.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(s)
        }
        w.byte(UInt8(ascii: "]"))
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
            throw Self.storageFailure("flush", error)
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
                // 0 for raw blocks, the window (ms) of a rollup block: blocks
                // of one resolution never overlap (checked by the crash matrix).
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
