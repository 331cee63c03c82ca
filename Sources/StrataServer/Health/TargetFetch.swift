import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One HTTP GET of a target, bounded in time and size.
enum TargetFetch {
    struct Response: Sendable {
        var status: Int
        var reason: String
        var contentType: String
        var body: ByteBuffer
    }

    struct Failure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// Fetches `url`; the whole exchange (connect, headers, body) must finish
    /// within `timeoutMs`. Bodies over `maxBytes` are refused.
    static func get(_ url: String, client: HTTPClient, timeoutMs: Int64, maxBytes: Int,
                    headers: [(String, String)]) async throws(Failure) -> Response {
        do {
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask {
                    var req = HTTPClientRequest(url: url)
                    req.headers.add(name: "User-Agent", value: "Strata")
                    for (k, v) in headers { req.headers.add(name: k, value: v) }
                    let resp = try await client.execute(req, deadline: .now() + .milliseconds(timeoutMs))
                    let body: ByteBuffer
                    do {
                        body = try await resp.body.collect(upTo: maxBytes)
                    } catch is NIOTooManyBytesError {
                        throw Failure(description: "body exceeds the limit of \(maxBytes) bytes")
                    }
                    return Response(status: Int(resp.status.code), reason: resp.status.reasonPhrase,
                                    contentType: resp.headers.first(name: "Content-Type") ?? "", body: body)
                }
                group.addTask {
                    // The deadline covers the body too, even for a server that trickles it.
                    try await Task.sleep(for: .milliseconds(timeoutMs))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let r = first else {
                    throw Failure(description: "context deadline exceeded (timeout \(PromDurationText.format(timeoutMs)))")
                }
                return r
            }
        } catch let f as Failure {
            throw f
        } catch let e as HTTPClientError where e == .deadlineExceeded || e == .readTimeout || e == .connectTimeout {
            throw Failure(description: "context deadline exceeded (timeout \(PromDurationText.format(timeoutMs)))")
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? HTTPClientError { return "\(e)" }
        let s = "\(error)"
        return s.count > 300 ? String(s.prefix(300)) + "…" : s
    }
}
