import Foundation
import StrataQuery
import StrataStorage

/// One remote-write receiver (VictoriaMetrics, Mimir, Thanos Receive, Prometheus…).
public struct RemoteWriteTarget: Sendable, Equatable {
    public var url: String
    public var name: String
    /// Selectors; a series is forwarded if it matches any. Empty: every series.
    public var match: [String] = []
    /// Prometheus' default since 2.x is 2,000 samples per request (`max_samples_per_send`).
    public var maxSamplesPerSend = 2000
    /// Concurrent senders; series are split between them by ref, so each
    /// series' samples stay in order.
    public var shards = 2
    /// How much WAL the queue may fall behind before it gives up on the
    /// oldest data (counted in `strata_remote_write_samples_dropped_total`).
    public var maxLagBytes = 1 << 30
    /// Extra request headers (e.g. `Authorization`, `X-Scope-OrgID` for Mimir).
    public var headers: [String: String] = [:]

    public init(url: String, name: String? = nil) {
        self.url = url
        self.name = name ?? RemoteWriteTarget.defaultName(url)
    }

    static func defaultName(_ url: String) -> String {
        // A stable, filesystem-safe name derived from the URL.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in url.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "rw-" + String(h, radix: 16)
    }

    /// Parsed selectors.
    func matchers() throws(ConfigError) -> [[Matcher]] {
        var out: [[Matcher]] = []
        for m in match {
            guard let expr = try? parsePromQL(m), case .vectorSelector(let vs) = expr else {
                throw .invalid("remote_write.match", m)
            }
            out.append(vs.matchers)
        }
        return out
    }

    static func parse(_ m: [String: Any], index i: Int) throws(ConfigError) -> RemoteWriteTarget {
        guard let url = m["url"] as? String, url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .invalid("remote_write[\(i)].url", "\(m["url"] ?? "missing")")
        }
        var t = RemoteWriteTarget(url: url, name: m["name"] as? String)
        if t.name.isEmpty || t.name.contains("/") || t.name.hasPrefix(".") { throw .invalid("remote_write[\(i)].name", t.name) }
        for (k, v) in m {
            switch k {
            case "url", "name": break
            case "match":
                guard let list = v as? [String] else { throw .invalid("remote_write[\(i)].match", "\(v)") }
                t.match = list
            case "max_samples_per_send":
                guard let n = v as? Int, n > 0 else { throw .invalid("remote_write[\(i)].max_samples_per_send", "\(v)") }
                t.maxSamplesPerSend = n
            case "shards":
                guard let n = v as? Int, (1...64).contains(n) else { throw .invalid("remote_write[\(i)].shards", "\(v)") }
                t.shards = n
            case "max_lag_bytes":
                guard let n = v as? Int, n > 0 else { throw .invalid("remote_write[\(i)].max_lag_bytes", "\(v)") }
                t.maxLagBytes = n
            case "headers":
                guard let h = v as? [String: String] else { throw .invalid("remote_write[\(i)].headers", "\(v)") }
                t.headers = h
            default:
                throw .unknownKey("remote_write[\(i)].\(k)")
            }
        }
        _ = try t.matchers()
        return t
    }
}
