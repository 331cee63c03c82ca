import Hummingbird
import Synchronization
import StrataEvents

/// A request context that knows the peer's address (for the audit log).
public protocol PeerAddressContext: RequestContext {
    var remoteAddress: String? { get }
}

extension StrataRequestContext: PeerAddressContext {}
extension RealtimeRequestContext: PeerAddressContext {}

/// Authenticates every request and checks the role its endpoint needs
/// (`EndpointPolicy`): 401 without valid credentials, 403 with too small a
/// role. Failures go to the audit log, and so do successes, once a minute
/// per principal (every request would drown the log).
public struct AuthMiddleware<Context: PeerAddressContext>: RouterMiddleware {
    let authenticator: Authenticator
    let audit: AuditLog?
    let metrics: ServerMetrics?
    let throttle: AuditThrottle

    public init(authenticator: Authenticator, audit: AuditLog?, metrics: ServerMetrics?, throttle: AuditThrottle = AuditThrottle()) {
        self.authenticator = authenticator
        self.audit = audit
        self.metrics = metrics
        self.throttle = throttle
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard authenticator.enabled else { return try await next(request, context) }
        let required = EndpointPolicy.requirement(method: request.method, path: request.uri.path)
        guard case .role(let role) = required else { return try await next(request, context) }
        let source = context.remoteAddress
        switch authenticator.authenticate(authorization: request.headers[.authorization]) {
        case .anonymous:
            metrics?.authFailure("missing_credentials")
            if throttle.shouldRecord("anonymous|" + (source ?? "")) {
                await audit?.record(type: .authentication, action: "authenticate", outcome: .denied, source: source,
                                    description: "request without credentials to \(request.uri.path)",
                                    attributes: ["path": request.uri.path])
            }
            return Self.unauthorized("authentication required")
        case .invalid(let reason, let user):
            metrics?.authFailure("invalid_credentials")
            await audit?.record(type: .authentication, action: "authenticate", outcome: .failure(reason), user: user,
                                source: source, description: "rejected credentials for \(request.uri.path)",
                                attributes: ["path": request.uri.path])
            return Self.unauthorized("invalid credentials")
        case .authenticated(let name, let has):
            if has < role {
                metrics?.authFailure("forbidden")
                await audit?.record(type: .authentication, action: "authorize", outcome: .denied, user: name, source: source,
                                    description: "\(name) (\(has)) may not use \(request.uri.path), which needs \(role)",
                                    attributes: ["path": request.uri.path, "role": has.description, "required": role.description])
                return APIError(.forbidden, "\(name) has role \(has); \(request.uri.path) needs \(role)").response()
            }
            if throttle.shouldRecord("ok|" + name) {
                await audit?.record(type: .authentication, action: "authenticate", outcome: .success, user: name, source: source,
                                    description: "\(name) authenticated with role \(has)", attributes: ["role": has.description])
            }
            return try await next(request, context)
        }
    }

    static func unauthorized(_ message: String) -> Response {
        var r = APIError(.unauthorized, message).response()
        r.headers[.wwwAuthenticate] = "Bearer realm=\"strata\", Basic realm=\"strata\", charset=\"UTF-8\""
        return r
    }
}

/// At most one audit record per key per interval.
public final class AuditThrottle: Sendable {
    private let last = Mutex<[String: ContinuousClock.Instant]>([:])
    let interval: Duration

    public init(interval: Duration = .seconds(60)) { self.interval = interval }

    func shouldRecord(_ key: String) -> Bool {
        let now = ContinuousClock.now
        return last.withLock { d in
            if let t = d[key], now - t < interval { return false }
            if d.count > 10_000 { d.removeAll() }
            d[key] = now
            return true
        }
    }
}
