import Foundation
import Hummingbird

/// The role each endpoint needs (issue #7). Health and readiness probes are
/// open so load balancers need no credentials; everything else needs at
/// least `read`, including paths that do not exist (a 401 rather than a 404
/// does not tell an anonymous caller which routes exist).
///
/// The middleware runs before routing, so the policy sees the raw path. The
/// router skips empty path components (`//api/v1/write/` reaches
/// `/api/v1/write`), so the policy compares normalised paths: without that,
/// a read token could write, or run admin endpoints, through such a path.
public enum EndpointPolicy {
    public enum Requirement: Sendable, Equatable {
        case anonymous
        case role(Role)
    }

    public static func requirement(method: HTTPRequest.Method, path rawPath: String) -> Requirement {
        let path = normalize(rawPath)
        if path == "/-/healthy" || path == "/-/ready" { return .anonymous }
        // Ingestion.
        if method == .post && (path == "/api/v1/write" || path == "/api/v2/write" || path == "/write"
                               || path == "/api/v1/import" || path == "/api/v1/activity") {
            return .role(.write)
        }
        // Administration: TSDB admin, the audit log and its live feed (reading
        // it is sensitive too), changes to monitored targets, alert rules and
        // alert settings, and configuration reloads.
        if path.hasPrefix("/api/v1/admin/") || path.hasPrefix("/api/v1/audit/") || path == "/ws/audit" { return .role(.admin) }
        let reads = method == .get || method == .head
        if !reads && (path.hasPrefix("/api/v1/targets") || path.hasPrefix("/api/v1/rules") || path == "/api/v1/alert-settings") {
            return .role(.admin)
        }
        if path == "/-/reload" { return .role(.admin) }
        // Queries, metadata, status, /metrics, remote read, WebSocket feeds.
        return .role(.read)
    }

    /// The non-empty components, percent-decoded, each after a `/`.
    /// Decoding can only make the requirement stricter: the router does not
    /// decode, so a decoded match names a route the raw path does not reach.
    static func normalize(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        if parts.isEmpty { return "/" }
        var out = ""
        for p in parts {
            out += "/"
            out += p.contains("%") ? (String(p).removingPercentEncoding ?? String(p)) : String(p)
        }
        return out
    }
}
