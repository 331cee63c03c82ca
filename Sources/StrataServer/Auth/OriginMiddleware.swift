import Hummingbird

/// Browser origins (issue #7).
///
/// - CORS: an `Origin` in `corsOrigins` (or `*` there) gets
///   `Access-Control-Allow-*` headers; preflights (`OPTIONS` with
///   `Access-Control-Request-Method`) are answered here, before
///   authentication, as browsers send them without credentials.
/// - Cross-site requests that change state are refused: a non-GET request
///   whose `Origin` is neither allowed nor the server's own gets a 403, so a
///   web page cannot make a browser POST to a Strata on localhost.
/// - WebSocket upgrades (`forWebSocket`) are allowed from the server's own
///   origin, from `websocketOrigins`, and from clients that send no `Origin`
///   (non-browser clients); others get a 403.
public struct OriginMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: [String]
    let forWebSocket: Bool

    public init(allowed: [String], forWebSocket: Bool) {
        self.allowed = allowed
        self.forWebSocket = forWebSocket
    }

    func isAllowed(_ origin: String, request: Request) -> Bool {
        if allowed.contains("*") || allowed.contains(origin) { return true }
        // Browsers send the page's origin: http(s)://… or "null". Anything
        // else (swift-websocket's client sends `ws://host`) comes from a
        // program, which could send any Origin anyway: the check protects
        // browsers' users only, so it applies to browser origins only.
        if !(origin.hasPrefix("http://") || origin.hasPrefix("https://") || origin == "null") { return true }
        return Self.isSameOrigin(origin, authority: request.head.authority)
    }

    /// `Origin: scheme://host[:port]` against the request's `Host` (the authority in HTTPTypes).
    static func isSameOrigin(_ origin: String, authority: String?) -> Bool {
        guard let authority, let sep = origin.range(of: "://") else { return false }
        let hostPort = origin[sep.upperBound...]
        if hostPort == authority { return true }
        // Default ports are omitted from one side or the other.
        let scheme = origin[..<sep.lowerBound]
        let port = scheme == "https" ? ":443" : ":80"
        return hostPort + port == authority || hostPort == authority + port
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin] else { return try await next(request, context) }
        let ok = isAllowed(origin, request: request)
        if forWebSocket {
            guard ok else { return APIError(.forbidden, "WebSocket origin \(origin) is not allowed").response() }
            return try await next(request, context)
        }
        let corsOK = allowed.contains("*") || allowed.contains(origin)
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard corsOK else { return APIError(.forbidden, "origin \(origin) is not allowed").response() }
            var r = Response(status: .noContent)
            addCORS(&r, origin)
            r.headers[.accessControlAllowMethods] = "GET, POST, PUT, DELETE, OPTIONS"
            r.headers[.accessControlAllowHeaders] = request.headers[.accessControlRequestHeaders] ?? "Authorization, Content-Type"
            r.headers[.accessControlMaxAge] = "600"
            return r
        }
        if !ok && request.method != .get && request.method != .head {
            return APIError(.forbidden, "cross-origin \(request.method) from \(origin) is not allowed").response()
        }
        var r = try await next(request, context)
        if corsOK { addCORS(&r, origin) }
        return r
    }

    private func addCORS(_ r: inout Response, _ origin: String) {
        r.headers[.accessControlAllowOrigin] = allowed.contains("*") ? "*" : origin
        if !allowed.contains("*") { r.headers[.vary] = "Origin" }
        r.headers[.accessControlExposeHeaders] = "Content-Type"
    }
}
