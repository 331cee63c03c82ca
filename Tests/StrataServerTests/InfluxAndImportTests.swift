import Foundation
import Testing
@testable import StrataServer
import StrataCodec

private let t0: Int64 = 1_764_374_400_000

@Suite struct InfluxAndImportTests {
    @Test(arguments: [("ns", "1764374400000000000"), ("us", "1764374400000000"), ("ms", "1764374400000"), ("s", "1764374400")])
    func lineProtocolPrecisions(_ precision: String, _ stamp: String) async throws {
        try await withServer { s in
            let body = "cpu,host=web\\ 1,region=eu usage_user=12.5,usage_idle=80i,up=true,count=7u,note=\"x\" \(stamp)\n"
            let r = try await HTTP.post(HTTP.url(s.base, "/api/v2/write", [("precision", precision), ("bucket", "b")]), body)
            #expect(r.status == 204, "\(r.text)")
            let got = try await instant(s, "{__name__=~\"cpu_.*\"}", at: t0)
            #expect(Set(got.map { $0.0["__name__"]! }) == ["cpu_usage_user", "cpu_usage_idle", "cpu_up", "cpu_count"])
            #expect(got.allSatisfy { $0.0["host"] == "web 1" && $0.0["region"] == "eu" })
            #expect(Dictionary(uniqueKeysWithValues: got.map { ($0.0["__name__"]!, $0.1) })
                    == ["cpu_usage_user": "12.5", "cpu_usage_idle": "80", "cpu_up": "1", "cpu_count": "7"])
        }
    }

    @Test func lineProtocolErrorsNameTheLine() async throws {
        try await withServer { s in
            let body = "m1 v=1 1764374400000\nthis is not valid\nm2 v=2 1764374400000\n"
            let r = try await HTTP.post(HTTP.url(s.base, "/write", [("precision", "ms")]), body)
            #expect(r.status == 400)
            #expect(r.error?.contains("line 2") == true, "\(r.error ?? "")")
            // The good lines are kept (Influx partial-write semantics).
            let got = try await instant(s, "{__name__=~\"m._v\"}", at: t0)
            #expect(got.count == 2)
            let bad = try await HTTP.post(HTTP.url(s.base, "/write", [("precision", "fortnights")]), "m v=1")
            #expect(bad.status == 400)
        }
    }

    /// Telegraf and the Influx clients gzip their bodies by default.
    @Test func gzippedLineProtocol() async throws {
        try await withServer({ $0.limits.maxDecodedBytes = 4096 }) { s in
            let lines = "gz,host=a v=1 1764374400000\ngz,host=b v=2 1764374400000\n"
            let url = HTTP.url(s.base, "/api/v2/write", [("precision", "ms")])
            let r = try await HTTP.request(url, method: .POST, body: Gzip.compress(Array(lines.utf8)),
                                           headers: [("Content-Encoding", "gzip")])
            #expect(r.status == 204, "\(r.text)")
            let got = try await instant(s, "gz_v", at: t0)
            #expect(Set(got.map { $0.0["host"]! }) == ["a", "b"])
            // Not gzip at all: 400, nothing stored.
            let junk = try await HTTP.request(url, method: .POST, body: Array("gz,host=c v=3 1764374400000".utf8),
                                              headers: [("Content-Encoding", "gzip")])
            #expect(junk.status == 400)
            #expect(junk.error?.contains("invalid gzip data") == true, "\(junk.text)")
            // A small body that inflates past the decoded-size cap: 413.
            let bomb = Gzip.compress(Array(String(repeating: "gz,host=d v=4 1764374400000\n", count: 1000).utf8))
            #expect(bomb.count < 4096)
            let big = try await HTTP.request(url, method: .POST, body: bomb, headers: [("Content-Encoding", "gzip")])
            #expect(big.status == 413, "\(big.text)")
            #expect(try await instant(s, "gz_v", at: t0).count == 2)
            let br = try await HTTP.request(url, method: .POST, body: Array("x v=1".utf8), headers: [("Content-Encoding", "br")])
            #expect(br.status == 400)
        }
    }

    @Test func jsonImport() async throws {
        try await withServer { s in
            let body = """
            {"series":[{"labels":{"__name__":"imp","k":"v"},"samples":[[\(t0), 1.5],[\(t0 + 1000), "NaN"],[\(t0 + 2000), "+Inf"]]}]}
            """
            var r = try await HTTP.post(s.base + "/api/v1/import", body)
            #expect(r.status == 204, "\(r.text)")
            let lines = """
            {"labels":{"__name__":"imp2"},"samples":[[\(t0), 3]]}
            {"labels":{"__name__":"imp2","x":"y"},"samples":[[\(t0), 4]]}
            """
            r = try await HTTP.post(s.base + "/api/v1/import", lines)
            #expect(r.status == 204, "\(r.text)")
            let got = try await instant(s, "imp", at: t0 + 2000)
            #expect(got.map(\.1) == ["+Inf"])
            #expect(try await instant(s, "imp2", at: t0).count == 2)
            r = try await HTTP.post(s.base + "/api/v1/import", "{\"series\":[{\"labels\":{\"__name__\":\"x\"},\"samples\":[[1,]]}]}")
            #expect(r.status == 400)
            #expect(r.error?.contains("1:") == true)
        }
    }
}
