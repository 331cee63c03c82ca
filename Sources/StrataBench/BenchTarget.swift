import Foundation

/// One server under test: either a child process we started on loopback
/// with its own data directory, or an external URL (then CPU, memory and,
/// without a data directory, sizes are not measured).
public final class BenchTarget: Sendable {
    public let kind: TargetKind
    public let baseURL: String
    public let process: ServerProcess?
    public let dataDir: String?

    init(kind: TargetKind, baseURL: String, process: ServerProcess?, dataDir: String?) {
        self.kind = kind
        self.baseURL = baseURL
        self.process = process
        self.dataDir = dataDir
    }

    /// Starts `executable` for `kind` on a free loopback port, data in
    /// `workDir/<kind>-data`, log in `logDir/<kind>.log`.
    static func launch(kind: TargetKind, executable: String, workDir: String, logDir: String) throws -> BenchTarget {
        let dataDir = workDir + "/\(kind.rawValue)-data"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        // Prometheus needs a config file; an empty scrape list keeps it from
        // adding series of its own.
        let configFile = workDir + "/prometheus.yml"
        if kind == .prometheus {
            try "global:\n  scrape_interval: 15s\nscrape_configs: []\n".write(toFile: configFile, atomically: true, encoding: .utf8)
        }
        guard let port = LoopbackPort.free() else { throw BenchError.io("no free loopback port") }
        let proc = try ServerProcess(
            name: kind.rawValue, executable: executable,
            arguments: kind.serveArguments(port: port, dataDir: dataDir, configFile: configFile),
            logPath: logDir + "/\(kind.rawValue).log")
        return BenchTarget(kind: kind, baseURL: "http://127.0.0.1:\(port)", process: proc, dataDir: dataDir)
    }

    public static func external(kind: TargetKind, url: String, dataDir: String?) -> BenchTarget {
        var u = url
        while u.hasSuffix("/") { u.removeLast() }
        return BenchTarget(kind: kind, baseURL: u, process: nil, dataDir: dataDir)
    }

    public var pid: Int32? { process?.pid }
    public var stats: ProcessStats? { pid.flatMap { ProcessStats.read(pid: $0) } }
    public var writeURL: String { baseURL + "/api/v1/write" }

    /// Polls the ready endpoint until it answers 200 (at most `timeoutSeconds`).
    func waitReady(_ client: BenchHTTPClient, timeoutSeconds: Double) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while ContinuousClock.now < deadline {
            if let p = process, !p.isRunning {
                throw BenchError.notReady(target: kind.rawValue, seconds: timeoutSeconds, log: p.logTail())
            }
            if let r = try? await client.get(baseURL + kind.readyPath, timeoutSeconds: 2), r.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError.notReady(target: kind.rawValue, seconds: timeoutSeconds, log: process?.logTail() ?? "")
    }

    /// Makes everything ingested durable and queryable, in the server's own
    /// way, and returns the directory holding its compressed blocks (nil if
    /// unknown): Strata's flush endpoint (blocks/), a Prometheus snapshot
    /// (which writes the head as a block), VictoriaMetrics' force_flush.
    func flush(_ client: BenchHTTPClient) async throws -> [String] {
        switch kind {
        case .strata:
            let r = try await client.post(baseURL + "/api/v1/admin/tsdb/flush", timeoutSeconds: 600)
            guard r.isSuccess else { throw BenchError.http("flush: \(r.status) \(r.text.prefix(300))") }
            guard let d = dataDir else { return [] }
            return DirectorySize.subdirectories(d + "/blocks").filter { !$0.hasSuffix(".tmp") }.map { d + "/blocks/" + $0 }
        case .prometheus:
            let r = try await client.post(baseURL + "/api/v1/admin/tsdb/snapshot", timeoutSeconds: 600)
            guard r.isSuccess else { throw BenchError.http("snapshot: \(r.status) \(r.text.prefix(300))") }
            guard let obj = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
                let data = obj["data"] as? [String: Any], let name = data["name"] as? String
            else { throw BenchError.badResponse("snapshot answer without data.name: \(r.text.prefix(200))") }
            guard let d = dataDir else { return [] }
            return [d + "/snapshots/" + name]
        case .victoriametrics:
            let r = try await client.get(baseURL + "/internal/force_flush", timeoutSeconds: 600)
            guard r.isSuccess else { throw BenchError.http("force_flush: \(r.status) \(r.text.prefix(300))") }
            guard let d = dataDir else { return [] }
            // Parts (data/) and the inverted index (indexdb/): what holds the
            // samples and what finds them, as a block's chunks and index do.
            // (The runner waits for the parts to reach the disk and merges them.)
            return [d + "/data", d + "/indexdb"]
        }
    }

    /// The whole data directory, minus Prometheus' snapshots (hard links to
    /// its blocks plus the head block the snapshot wrote: not its working set).
    func dataDirectorySize() -> DirectorySize? {
        guard let d = dataDir else { return nil }
        return DirectorySize.measure(d, excluding: kind == .prometheus ? ["snapshots"] : [])
    }

    /// URL of one run of `query` over `window`.
    func queryURL(_ query: BenchQuery, window: QueryWindow) -> String {
        var url = baseURL
        switch query.shape {
        case .range:
            url += "/api/v1/query_range?query=" + URLQuery.encode(query.expr)
            url += "&start=" + URLQuery.seconds(window.start) + "&end=" + URLQuery.seconds(window.end)
            url += "&step=" + URLQuery.seconds(window.step)
        case .instant:
            url += "/api/v1/query?query=" + URLQuery.encode(query.expr) + "&time=" + URLQuery.seconds(window.end)
        }
        // VictoriaMetrics caches query results; measure its evaluation.
        if kind == .victoriametrics { url += "&nocache=1" }
        return url
    }

    /// URL of an instant query at `t` (ms).
    func instantURL(_ expr: String, at t: Int64) -> String {
        var url = baseURL + "/api/v1/query?query=" + URLQuery.encode(expr) + "&time=" + URLQuery.seconds(t)
        if kind == .victoriametrics { url += "&nocache=1" }
        return url
    }

    func stop() async {
        await process?.stop()
    }
}

enum URLQuery {
    /// Percent-encodes everything but RFC 3986's unreserved characters.
    static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(b >> 4)], hex[Int(b & 15)]], as: UTF8.self)
            }
        }
        return out
    }

    /// ms as seconds with 3 decimals (whole seconds without).
    static func seconds(_ ms: Int64) -> String {
        let s = ms / 1000, f = ms % 1000
        if f == 0 { return String(s) }
        let fs = String(abs(f))
        return "\(ms < 0 && s == 0 ? "-" : "")\(s)." + String(repeating: "0", count: 3 - fs.count) + fs
    }
}
