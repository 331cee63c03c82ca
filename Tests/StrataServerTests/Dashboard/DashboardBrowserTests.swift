import Foundation
import Testing
import StrataTestSupport

/// The dashboard in a real headless Chromium (issue #11, item 4): a real
/// `strata serve` child process, data ingested through the public APIs, and
/// Tests/Browser/dashboard_test.py driving Chromium with Selenium. Skipped
/// only when Chromium itself is not installed; a missing chromedriver or
/// Selenium is a failure with instructions (`make test` installs them).
@Suite("Dashboard in Chromium", .serialized)
struct DashboardBrowserTests {
    static let chromium = ProcessInfo.processInfo.environment["CHROMIUM_BIN"] ?? "/usr/bin/chromium"
    static let chromedriver = ProcessInfo.processInfo.environment["CHROMEDRIVER_BIN"] ?? "/usr/bin/chromedriver"
    static var chromiumInstalled: Bool { FileManager.default.isExecutableFile(atPath: chromium) }

    /// The package root, from this file's path (Tests/StrataServerTests/Dashboard/…).
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// A Python that can `import selenium`: $STRATA_BROWSER_PYTHON, the venv `make test`
    /// creates in .build/browser-venv, or python3 on the PATH.
    static func seleniumPython() -> String? {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["STRATA_BROWSER_PYTHON"], !p.isEmpty { candidates.append(p) }
        candidates.append(packageRoot + "/.build/browser-venv/bin/python3")
        candidates += ["/usr/bin/python3", "python3"]
        for c in candidates {
            if c.hasPrefix("/") && !FileManager.default.isExecutableFile(atPath: c) { continue }
            if (try? run([c, "-c", "import selenium"], log: "/dev/null")) == 0 { return c }
        }
        return nil
    }

    @discardableResult
    static func run(_ argv: [String], log: String, env: [String: String] = [:]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = argv
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        // Never createFile on /dev/null: Foundation writes atomically (a temp
        // file renamed over the path), which replaced the device with a
        // regular file for every process on the machine.
        if log != "/dev/null" { FileManager.default.createFile(atPath: log, contents: nil) }
        let h = FileHandle(forWritingAtPath: log)!
        p.standardOutput = h
        p.standardError = h
        try p.run()
        p.waitUntilExit()
        try? h.close()
        return p.terminationStatus
    }

    @Test("every page shows the API's numbers, live updates, audit filters, no console errors",
          .enabled(if: DashboardBrowserTests.chromiumInstalled, "Chromium is not installed (apt-get install chromium chromium-driver); dashboard browser test skipped"))
    func dashboardInChromium() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.chromedriver),
                "chromedriver missing at \(Self.chromedriver): apt-get install chromium-driver")
        let python = Self.seleniumPython()
        try #require(python != nil, """
            Chromium is installed but no Python with Selenium was found: run
            python3 -m venv .build/browser-venv && .build/browser-venv/bin/pip install selenium
            (make test does this), or set STRATA_BROWSER_PYTHON
            """)
        let tmp = try TempDirectory("strata-dashboard")
        let artifacts = Self.packageRoot + "/.build/artifacts/dashboard"
        try? FileManager.default.removeItem(atPath: artifacts)
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let config = tmp.sub("strata.yaml")
        // Scrape ourselves every second so the metrics pages have data within seconds.
        try """
            monitoring:
              self_scrape: true
              self_scrape_interval: 1s
              host_metrics: true
              host_metrics_interval: 1s
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDir: tmp.sub("data"), extraArgs: ["--config", config])
        defer {
            server.terminate()
            tmp.remove()
        }
        let log = artifacts + "/browser-test.log"
        let script = Self.packageRoot + "/Tests/Browser/dashboard_test.py"
        let status = try await Task.detached {
            try Self.run([python!, script, "--base", server.base, "--artifacts", artifacts], log: log,
                         env: ["CHROMIUM_BIN": Self.chromium, "CHROMEDRIVER_BIN": Self.chromedriver, "SE_AVOID_STATS": "true",
                               "PYTHONUNBUFFERED": "1"])
        }.value
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        print("dashboard browser test (artifacts: \(artifacts)):\n" + output)
        #expect(status == 0, "dashboard_test.py failed (see \(log)):\n\(output.suffix(4000))")
        let report = try #require(FileManager.default.contents(atPath: artifacts + "/report.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: report) as? [String: Any])
        #expect((json["screenshots"] as? [String])?.count ?? 0 >= 5)
        #expect((json["console"] as? [Any])?.isEmpty == true)
    }
}
