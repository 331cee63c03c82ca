import Foundation
import StrataServer

/// Servers for realtime tests: no self-scrape or host metrics (their
/// commits would trigger evaluations the tests do not expect), and a
/// WebSocket URL helper.
func withRealtimeServer(
    _ configure: (inout ServeConfig) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
) async throws {
    try await withServer({ cfg in
        cfg.monitoring.selfScrape = false
        cfg.monitoring.hostMetrics = false
        configure(&cfg)
    }, body)
}

extension TestServer {
    func ws(_ channel: String, _ query: String = "") -> String {
        "ws://127.0.0.1:\(port)/ws/\(channel)" + (query.isEmpty ? "" : "?" + query)
    }
}

extension RealtimeTestClient.Message {
    /// `payload.<key>` as an integer.
    func int(_ key: String) -> Int64? { (payload[key] as? NSNumber)?.int64Value }
    func string(_ key: String) -> String? { payload[key] as? String }
}
