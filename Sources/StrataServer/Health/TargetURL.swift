/// The parts of a target URL that Strata needs: scheme, host, port, path.
/// Only `http` and `https` are monitored.
struct TargetURL: Sendable, Equatable {
    var scheme: String
    var host: String
    var port: Int
    var explicitPort: Bool
    /// Path and query, starting with `/`.
    var pathAndQuery: String

    /// `host:port` as Prometheus' `instance` label writes it (`[::1]:9100` for IPv6).
    var hostPort: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }

    var string: String { "\(scheme)://\(hostPort)\(pathAndQuery)" }

    /// Parses `http://host[:port][/path][?query]`. `defaultPath` replaces an
    /// empty path (`/metrics` for Prometheus targets, as `metrics_path`).
    static func parse(_ s: String, defaultPath: String = "/") -> TargetURL? {
        var rest = Substring(s)
        let scheme: String
        if let r = rest.range(of: "://") {
            scheme = rest[..<r.lowerBound].lowercased()
            rest = rest[r.upperBound...]
        } else {
            return nil
        }
        guard scheme == "http" || scheme == "https" else { return nil }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        if let hash = path.firstIndex(of: "#") { path = String(path[..<hash]) }
        if path.isEmpty { path = defaultPath } else if path.hasPrefix("?") { path = defaultPath + path }
        guard !authority.contains("@") else { return nil }  // credentials in URLs are not supported
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        var port = scheme == "https" ? 443 : 80
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else { return nil }
            port = p
        }
        guard !path.contains(where: { $0 == " " || $0 == "\n" }) else { return nil }
        return TargetURL(scheme: scheme, host: String(host).lowercased(), port: port, explicitPort: portText != nil,
                         pathAndQuery: path)
    }
}
