import Hummingbird

/// An error answered in Prometheus' envelope:
/// `{"status":"error","errorType":"bad_data","error":"…"}`.
///
/// `errorType` and status follow Prometheus' API: bad_data → 400,
/// execution → 422, timeout → 503, canceled → 499, internal → 500,
/// unavailable → 503, not_found → 404. Strata adds too_large → 413 and
/// limit → 429 where Prometheus would not answer at all.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
        case internalError = "internal"
        case unavailable
        case notFound = "not_found"
        case tooLarge = "too_large"
        case limit = "limit"
        case unauthorized
        case forbidden
    }

    public var kind: Kind
    public var message: String
    public var status: HTTPResponse.Status

    public init(_ kind: Kind, _ message: String, status: HTTPResponse.Status? = nil) {
        self.kind = kind
        self.message = message
        self.status = status ?? Self.defaultStatus(kind)
    }

    static func defaultStatus(_ kind: Kind) -> HTTPResponse.Status {
        switch kind {
        case .badData: return .badRequest
        case .execution: return .unprocessableContent
        case .timeout, .unavailable: return .serviceUnavailable
        case .canceled: return .init(code: 499, reasonPhrase: "Client Closed Request")
        case .internalError: return .internalServerError
        case .notFound: return .notFound
        case .tooLarge: return .contentTooLarge
        case .limit: return .tooManyRequests
        case .unauthorized: return .unauthorized
        case .forbidden: return .forbidden
        }
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    public func response(warnings: [String] = []) -> Response {
        var w = JSONWriter(capacity: 128 + message.utf8.count)
        w.raw("{\"status\":\"error\",\"errorType\":")
        w.string(kind.rawValue)
        w.raw(",\"error\":")
        w.string(message)
        if !warnings.isEmpty {
            w.raw(",\"warnings\":[")
            for (i, s) in warnings.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(s)
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "}"))
        return APIResponse.json(w.bytes, status: status)
    }
}

extension APIError: HTTPResponseError {
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }
}

public enum APIResponse {
    public static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// `{"status":"success","data":<data>}`, with `data` already serialised by `body`.
    public static func success(warnings: [String] = [], capacity: Int = 1024, _ body: (inout JSONWriter) -> Void) -> Response {
        var w = JSONWriter(capacity: capacity)
        w.raw("{\"status\":\"success\",\"data\":")
        body(&w)
        if !warnings.isEmpty {
            w.raw(",\"warnings\":[")
            for (i, s) in warnings.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(s)
            }
            w.byte(UInt8(ascii: "]"))
        }
        w.byte(UInt8(ascii: "}"))
        return json(w.bytes)
    }

    public static func noContent() -> Response { Response(status: .noContent) }

    public static func text(_ s: String, status: HTTPResponse.Status = .ok, contentType: String = "text/plain; charset=utf-8") -> Response {
        Response(status: status, headers: [.contentType: contentType], body: ResponseBody(byteBuffer: ByteBuffer(string: s)))
    }
}
