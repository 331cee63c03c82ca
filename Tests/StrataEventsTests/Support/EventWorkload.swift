import StrataEvents
import StrataTestSupport

/// Seeded audit events that look like real ones: a few hundred users, IPs,
/// templated descriptions, some high-cardinality attributes, a little
/// Unicode, and some late (backdated) timestamps.
struct EventWorkload {
    var rng: WorkloadRandom
    let users: [String]
    let ips: [String]
    static let resources = ["dashboard", "alert rule", "series", "target", "token", "report", "Größe", "東京"]
    static let methods = ["password", "sso", "token", "mfa"]

    init(seed: UInt64, users nUsers: Int = 40, ips nIPs: Int = 30) {
        rng = WorkloadRandom(seed: seed)
        let names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"]
        users = (0..<nUsers).map { i in i < names.count ? names[i] : "user\(i)" }
        ips = (0..<nIPs).map { i in "10.0.\(i / 10).\(i % 10 + 1)" }
    }

    mutating func pick<T>(_ a: [T]) -> T { a[Int(rng.int(0...Int64(a.count - 1)))] }

    mutating func event(at t: Int64) -> EventDraft {
        let user = pick(users)
        let ip = pick(ips)
        let res = pick(Self.resources)
        switch rng.int(0...5) {
        case 0:
            let ok = rng.chance(0.7)
            return EventDraft(timestamp: t, type: .authentication, severity: ok ? .info : .warning, user: user, source: ip,
                              action: "login", description: ok ? "user \(user) logged in from \(ip)" : "failed login for \(user)",
                              attributes: [EventAttribute("method", pick(Self.methods))])
        case 1:
            return EventDraft(timestamp: t, type: .security, severity: rng.chance(0.5) ? .warning : .error, user: user, source: ip,
                              action: "permission_denied", description: "permission denied for \(user) on \(res)",
                              attributes: [EventAttribute("resource", res)])
        case 2:
            return EventDraft(timestamp: t, type: .dataModification, severity: .info, user: user, source: ip,
                              action: "delete_series", description: "deleted series http_requests_total{job=\"api\"} matching \(rng.int(1...500)) series",
                              attributes: [EventAttribute("request_id", String(rng.next() & 0xFFFF_FFFF, radix: 16))])
        case 3:
            return EventDraft(timestamp: t, type: .business, severity: rng.chance(0.1) ? .critical : .info, user: user, source: ip,
                              action: "export", description: "exported report \(res) as CSV",
                              attributes: [EventAttribute("format", "csv"), EventAttribute("rows", String(rng.int(1...100_000)))])
        case 4:
            return EventDraft(timestamp: t, type: .security, severity: .info, user: user, source: ip,
                              action: "config_reload", description: "configuration reloaded by \(user)", attributes: [])
        default:
            return EventDraft(timestamp: t, type: .authentication, severity: .error, user: rng.chance(0.2) ? "" : user, source: ip,
                              action: "token_rejected", description: "API token rejected: expired",
                              attributes: [EventAttribute("token", "tok_\(rng.int(1...50))")])
        }
    }

    /// `n` events spread over [start, start + span), mostly in order, 5 % backdated by up to 3 h.
    mutating func events(_ n: Int, start: Int64, span: Int64) -> [EventDraft] {
        var out: [EventDraft] = []
        for i in 0..<n {
            var t = start + span * Int64(i) / Int64(max(1, n)) + rng.int(0...999)
            if rng.chance(0.05) { t -= rng.int(0...3 * 3_600_000) }
            out.append(event(at: max(start, t)))
        }
        return out
    }
}
