import Hummingbird
import NIOCore
import StrataCodec
import StrataIngest
import StrataStorage

/// Ingestion endpoints: Prometheus remote write 1.0, Influx line protocol
/// (v1 `/write` and v2 `/api/v2/write`), and JSON import.
struct WriteHandlers: Sendable {
    let ingestor: Ingestor
    let limits: ServeConfig.Limits
    /// Remote-write series recognised by their raw label bytes, shared by all connections.
    let seriesCache = SeriesCache()

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/write") { req, ctx in try await remoteWrite(req) }
        router.post("/api/v2/write") { req, ctx in try await influx(req, v2: true) }
        router.post("/write") { req, ctx in try await influx(req, v2: false) }
        router.post("/api/v1/import") { req, ctx in try await jsonImport(req) }
    }

    /// Collects the body, translating an oversized one into a Prometheus-style 413.
    func body(_ req: inout Request) async throws(APIError) -> ByteBuffer {
        do {
            return try await req.collectBody(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            ingestor.metrics.limitHit("max_body_bytes")
            throw APIError(.tooLarge, "request body is larger than the limit of \(limits.maxBodyBytes) bytes")
        } catch {
            throw APIError(.badData, "reading request body: \(error)")
        }
    }

    func answer(_ o: Ingestor.Outcome) -> Response {
        if o.refused == 0 { return APIResponse.noContent() }
        var msg = "\(o.refused) sample(s) refused, \(o.appended) stored: " + o.messages.joined(separator: "; ")
        if o.refused > o.messages.count { msg += "; …" }
        return APIError(.badData, msg).response()
    }

    func remoteWrite(_ request: Request) async throws -> Response {
        var req = request
        if let enc = req.headers[.contentEncoding], !enc.isEmpty, enc.lowercased() != "snappy" {
            throw APIError(.badData, "unsupported Content-Encoding \"\(enc)\": remote write bodies are snappy-compressed")
        }
        let buf = try await body(&req)
        var batch = IngestBatch()
        var scratch: [UInt8] = []
        var decoder = WriteRequestDecoder(cache: seriesCache)
        let maxDecoded = limits.maxDecodedBytes
        let failure: RemoteWriteError? = buf.withUnsafeReadableBytes { raw in
            do throws(RemoteWriteError) {
                try decoder.decode(snappyBody: raw, maxDecodedLength: maxDecoded, scratch: &scratch, into: &batch)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            var tooLarge = false
            if case .snappy(.decodedLengthExceedsLimit) = failure { tooLarge = true }
            if case .snappy(.decodedLengthImpossible(let declared, _)) = failure, declared > maxDecoded { tooLarge = true }
            if tooLarge {
                ingestor.metrics.limitHit("max_decoded_bytes")
                throw APIError(.tooLarge, "remote write body: \(failure)")
            }
            throw APIError(.badData, "remote write body: \(failure)")
        }
        let o = try await ingestor.ingest(batch, protocol: "remote_write", now: nowMillis())
        return answer(o)
    }

    func influx(_ request: Request, v2: Bool) async throws -> Response {
        var req = request
        let params = FormParameters(query: req.uri.query)
        var precision = LineProtocolOptions.Precision.nanoseconds
        if let p = params["precision"], !p.isEmpty {
            guard let parsed = LineProtocolOptions.Precision(p) else {
                throw APIError(.badData, "invalid precision \"\(p)\": use ns, us, ms or s")
            }
            precision = parsed
        }
        let encoding = req.headers[.contentEncoding]?.lowercased() ?? ""
        if !encoding.isEmpty, encoding != "identity", encoding != "gzip" {
            throw APIError(.badData, "unsupported Content-Encoding \"\(encoding)\"; send the body uncompressed or gzip-compressed")
        }
        var buf = try await body(&req)
        if encoding == "gzip" {
            var plain: [UInt8] = []
            let maxDecoded = limits.maxDecodedBytes
            let failure: Gzip.Error? = buf.withUnsafeReadableBytes { raw in
                do throws(Gzip.Error) { try Gzip.decompress(raw, maxOutput: maxDecoded, into: &plain); return nil } catch { return error }
            }
            if let failure {
                if case .tooLarge = failure {
                    ingestor.metrics.limitHit("max_decoded_bytes")
                    throw APIError(.tooLarge, "line protocol body: \(failure)")
                }
                throw APIError(.badData, "line protocol body: \(failure)")
            }
            buf = ByteBuffer(bytes: plain)
        }
        let now = nowMillis()
        var parser = LineProtocolParser(options: LineProtocolOptions(precision: precision, defaultTimestampMs: now))
        var batch = IngestBatch()
        let parsed: Result<LineProtocolReport, LineProtocolError> = buf.withUnsafeReadableBytes { raw in
            do throws(LineProtocolError) { return .success(try parser.parse(raw, into: &batch)) } catch { return .failure(error) }
        }
        let report: LineProtocolReport
        switch parsed {
        case .success(let r): report = r
        case .failure(let e): throw APIError(.badData, "line protocol: \(e)")
        }
        var o = try await ingestor.ingest(batch, protocol: v2 ? "influx_v2" : "influx_v1", now: now)
        if report.invalidLines > 0 {
            ingestor.metrics.rejected(report.invalidLines, reason: "syntax")
            o.refused += report.invalidLines
            o.messages.insert(contentsOf: report.errors.map { "line protocol: \($0)" }, at: 0)
        }
        return answer(o)
    }

    func jsonImport(_ request: Request) async throws -> Response {
        var req = request
        let buf = try await body(&req)
        var parser = JSONImportParser(options: .init(maxBytes: limits.maxBodyBytes))
        var batch = IngestBatch()
        let failure: JSONImportError? = buf.withUnsafeReadableBytes { raw in
            do throws(JSONImportError) { try parser.parse(raw, into: &batch); return nil } catch { return error }
        }
        if let failure { throw APIError(.badData, "import: \(failure)") }
        let o = try await ingestor.ingest(batch, protocol: "json_import", now: nowMillis())
        return answer(o)
    }
}
