import Hummingbird
import NIOCore
import StrataCodec
import StrataIngest
import StrataStorage

/// `POST /api/v1/read`: Prometheus remote read with the SAMPLES response type,
/// so a Prometheus server can use Strata as remote storage.
struct RemoteReadHandler: Sendable {
    let db: Database
    let limits: ServeConfig.Limits
    /// Prometheus' `--storage.remote.read-sample-limit` default.
    var maxSamples = 50_000_000

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/read") { req, _ in try await read(req) }
    }

    func read(_ request: Request) async throws -> Response {
        var req = request
        let buf: ByteBuffer
        do {
            buf = try await req.collectBody(upTo: limits.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError(.tooLarge, "request body is larger than the limit of \(limits.maxBodyBytes) bytes")
        }
        var raw: [UInt8] = []
        let maxDecoded = limits.maxDecodedBytes
        let snappyError: SnappyError? = buf.withUnsafeReadableBytes { bytes in
            do throws(SnappyError) { try Snappy.decompress(bytes, maxDecodedLength: maxDecoded, into: &raw); return nil } catch { return error }
        }
        if let snappyError { throw APIError(.badData, "remote read body: \(snappyError)") }
        let readRequest: ReadRequest
        do {
            readRequest = try ReadRequest.decode(raw)
        } catch {
            throw APIError(.badData, "remote read body: \(error)")
        }
        if !readRequest.acceptedResponseTypes.isEmpty && !readRequest.acceptsSamples {
            throw APIError(.badData, "only the SAMPLES response type is supported")
        }
        let db = self.db
        let maxSamples = self.maxSamples
        let body: [UInt8] = try await offPool { () throws -> [UInt8] in
            var enc = ReadResponseEncoder()
            var ts: [Int64] = [], vs: [Double] = []
            var d = ChunkIterator()
            var total = 0
            for q in readRequest.queries {
                var matchers: [Matcher] = []
                for m in q.matchers {
                    let type: MatchType
                    switch m.type {
                    case .equal: type = .equal
                    case .notEqual: type = .notEqual
                    case .regexMatch: type = .regexMatch
                    case .regexNoMatch: type = .regexNoMatch
                    }
                    do { matchers.append(try Matcher(type, m.name, m.value)) } catch {
                        throw APIError(.badData, "invalid matcher \(m.name): \(error)")
                    }
                }
                enc.beginQueryResult()
                for s in db.querier(mint: q.startTimestampMs, maxt: q.endTimestampMs).select(matchers) {
                    ts.removeAll(keepingCapacity: true)
                    vs.removeAll(keepingCapacity: true)
                    s.appendSamples(ts: &ts, vs: &vs, decoder: &d)
                    if ts.isEmpty { continue }
                    total += ts.count
                    if total > maxSamples {
                        throw APIError(.badData, "exceeded sample limit (\(maxSamples))")
                    }
                    enc.appendSeries(labels: s.labels, timestamps: ts, values: vs)
                }
                enc.endQueryResult()
            }
            var out: [UInt8] = []
            Snappy.compress(enc.bytes, into: &out)
            return out
        }
        return Response(
            status: .ok,
            headers: [.contentType: "application/x-protobuf", .contentEncoding: "snappy"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
