import Foundation
import StrataTestSupport
import Testing
@testable import StrataServer

/// `GET /api/v1/audit/events` over real HTTP against a brute-force scan of
/// the events posted: every combination of type lists, severity lists, user,
/// free text (AND, phrase, prefix, prefix phrase) and time window, paged
/// with small pages while newer events are appended between pages. Checks
/// the ids and their order, `total` and the disjunctive facets.
@Suite struct AuditSearchHTTPTests {
    struct Posted {
        var id: Int
        var timestamp: Int64
        var type: String
        var severity: String
        var user: String
        var words: [String]
    }

    static let types = ["authentication", "data_modification", "security", "business"]
    static let severities = ["info", "warning", "error", "critical"]
    /// Description words; none is also a token of the other indexed fields.
    static let vocabulary = ["failed", "login", "for", "permission", "denied", "export", "report", "token", "expired",
                             "password", "reset", "perm"]

    struct Filter: CustomStringConvertible {
        var types: [String] = []
        var severities: [String] = []
        var user: String?
        var q: String?
        var window: ClosedRange<Int64>?

        var description: String { "types=\(types) severities=\(severities) user=\(user ?? "-") q=\(q ?? "-") window=\(window.map { "\($0)" } ?? "-")" }

        func query(limit: Int) -> [(String, String)] {
            var out: [(String, String)] = [("limit", String(limit))]
            if !types.isEmpty { out.append(("type", types.joined(separator: ","))) }
            // Severities as a repeated parameter, types as a list: both forms are accepted.
            for s in severities { out.append(("severity", s)) }
            if let user { out.append(("user", user)) }
            if let q { out.append(("q", q)) }
            if let w = window {
                out.append(("start", String(w.lowerBound)))
                out.append(("end", String(w.upperBound)))
            }
            return out
        }

        /// Brute force, with the search syntax of docs/events.md restricted to description words.
        func textMatches(_ words: [String]) -> Bool {
            switch q {
            case nil: return true
            case "failed login": return words.contains("failed") && words.contains("login")
            case "\"failed login\"": return zip(words, words.dropFirst()).contains { $0 == "failed" && $1 == "login" }
            case "perm*": return words.contains { $0.hasPrefix("perm") }
            case "\"permission den*\"": return zip(words, words.dropFirst()).contains { $0 == "permission" && $1.hasPrefix("den") }
            case let other?: preconditionFailure("no brute force for \(other)")
            }
        }

        func matches(_ e: Posted, ignoringType: Bool = false, ignoringSeverity: Bool = false) -> Bool {
            (ignoringType || types.isEmpty || types.contains(e.type))
                && (ignoringSeverity || severities.isEmpty || severities.contains(e.severity))
                && (user == nil || e.user == user)
                && (window == nil || window!.contains(e.timestamp))
                && textMatches(e.words)
        }
    }

    static func post(_ base: String, _ batch: [Posted]) async throws -> [Int] {
        let objs: [[String: Any]] = batch.map {
            ["timestamp": $0.timestamp, "type": $0.type, "severity": $0.severity, "user": $0.user, "source": "host",
             "action": "act", "description": $0.words.joined(separator: " "), "attributes": ["k": "v"]]
        }
        let body = try JSONSerialization.data(withJSONObject: ["events": objs])
        let r = try await HTTP.request(base + "/api/v1/audit/events", method: .POST, body: Array(body),
                                       headers: [("Content-Type", "application/json")])
        #expect(r.status == 200, "\(r.text)")
        return (r.data as? [String: Any])?["ids"] as? [Int] ?? []
    }

    @Test func everyFilterCombinationMatchesBruteForceWhileAppending() async throws {
        try await withServer { s in
            var rng = WorkloadRandom(seed: 1010)
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let t0 = now - 2 * 3_600_000
            var posted: [Posted] = []
            var batch: [Posted] = []
            for i in 0..<400 {
                let n = 2 + Int(rng.next() % 4)
                let words = (0..<n).map { _ in Self.vocabulary[Int(rng.next() % UInt64(Self.vocabulary.count))] }
                // Some equal timestamps, so that ties are broken by id.
                batch.append(Posted(id: 0, timestamp: t0 + Int64(i / 2) * 9_000, type: Self.types[Int(rng.next() % 4)],
                                    severity: Self.severities[Int(rng.next() % 4)], user: "user\(rng.next() % 6)", words: words))
            }
            // Posted in shuffled batches: the log order is not the time order.
            batch.shuffle(using: &rng)
            for chunk in stride(from: 0, to: batch.count, by: 100) {
                var part = Array(batch[chunk..<min(chunk + 100, batch.count)])
                let ids = try await Self.post(s.base, part)
                #expect(ids.count == part.count)
                for k in part.indices { part[k].id = ids[k] }
                posted += part
            }
            // Appended between pages: newer than everything, so never on a later page.
            var appendAt = now - 30 * 60_000

            var filters: [Filter] = []
            for types in [[], ["authentication"], ["security", "business"]] {
                for sevs in [[], ["warning"], ["error", "critical"]] {
                    for user in [nil, "user3"] {
                        for q in [nil, "failed login", "\"failed login\"", "perm*", "\"permission den*\""] {
                            for window in [nil, (t0 + 600_000)...(t0 + 1_200_000)] {
                                filters.append(Filter(types: types, severities: sevs, user: user, q: q, window: window))
                            }
                        }
                    }
                }
            }
            var pagedWithAppends = 0
            for f in filters {
                let snapshot = posted
                let expected = snapshot.filter { f.matches($0) }
                    .sorted { $0.timestamp != $1.timestamp ? $0.timestamp > $1.timestamp : $0.id > $1.id }.map(\.id)
                var got: [Int] = []
                var cursor: String?
                var first = true
                repeat {
                    var query = f.query(limit: 9)
                    if let c = cursor { query.append(("cursor", c)) }
                    let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", query))
                    #expect(r.status == 200, "\(f): \(r.text)")
                    let data = try #require(r.data as? [String: Any])
                    got += (data["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                    if first {
                        first = false
                        #expect(data["total"] as? Int == expected.count, "\(f)")
                        let facets = try #require(data["facets"] as? [String: [String: Int]])
                        for t in Self.types {
                            let n = snapshot.filter { $0.type == t && f.matches($0, ignoringType: true) }.count
                            #expect(facets["type"]?[t] == n, "\(f): type facet \(t)")
                        }
                        for sv in Self.severities {
                            let n = snapshot.filter { $0.severity == sv && f.matches($0, ignoringSeverity: true) }.count
                            #expect(facets["severity"]?[sv] == n, "\(f): severity facet \(sv)")
                        }
                    }
                    cursor = data["next_cursor"] as? String
                    if cursor != nil {
                        // Append a newer event that matches the filter's free text and fields, between pages.
                        let e = Posted(id: 0, timestamp: appendAt, type: f.types.first ?? "security",
                                       severity: f.severities.first ?? "info", user: f.user ?? "user0",
                                       words: ["failed", "login", "permission", "denied"])
                        appendAt += 1
                        let ids = try await Self.post(s.base, [e])
                        posted.append(Posted(id: ids.first ?? 0, timestamp: e.timestamp, type: e.type, severity: e.severity,
                                             user: e.user, words: e.words))
                        pagedWithAppends += 1
                    }
                } while cursor != nil
                #expect(got == expected, "\(f)")
            }
            #expect(pagedWithAppends > 50)
        }
    }
}
