import Foundation
import Testing

/// The dashboard's static files as `strata serve` answers them (issue #11).
@Suite("Dashboard assets")
struct DashboardAssetTests {
    @Test("/ serves the page, /assets/ the modules with their content types and validators")
    func servesPageAndModules() async throws {
        try await withServer { s in
            let page = try await HTTP.get(s.base + "/")
            #expect(page.status == 200)
            #expect(page.headers.first(name: "content-type") == "text/html; charset=utf-8")
            #expect(page.text.contains("<script type=\"module\" src=\"/assets/js/app.js\">"))
            #expect(page.headers.first(name: "cache-control") == "no-cache")
            #expect(page.headers.first(name: "content-security-policy")?.contains("script-src 'self'") == true)

            let js = try await HTTP.get(s.base + "/assets/js/app.js")
            #expect(js.status == 200)
            #expect(js.headers.first(name: "content-type") == "text/javascript; charset=utf-8")
            let css = try await HTTP.get(s.base + "/assets/css/app.css")
            #expect(css.headers.first(name: "content-type") == "text/css; charset=utf-8")

            let etag = try #require(js.headers.first(name: "etag"))
            let again = try await HTTP.request(s.base + "/assets/js/app.js", headers: [("If-None-Match", etag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            let stale = try await HTTP.request(s.base + "/assets/js/app.js", headers: [("If-None-Match", "\"0000000000000000\"")])
            #expect(stale.status == 200)
            let head = try await HTTP.request(s.base + "/assets/js/app.js", method: .HEAD)
            #expect(head.status == 200)
            #expect(head.headers.first(name: "content-type") == "text/javascript; charset=utf-8")
            #expect(head.body.isEmpty)
        }
    }

    @Test("page paths answer with the page; unknown and escaping asset paths are 404")
    func routing() async throws {
        try await withServer { s in
            let deep = try await HTTP.get(s.base + "/ui/metrics")
            #expect(deep.status == 200)
            #expect(deep.text.contains("<main id=\"main\""))
            #expect(try await HTTP.get(s.base + "/assets/js/nope.js").status == 404)
            #expect(try await HTTP.get(s.base + "/assets/../Package.swift").status == 404)
            #expect(try await HTTP.get(s.base + "/assets/%2e%2e/index.html").status == 404)
            // The exposition keeps its path: the dashboard routes by fragment.
            let metrics = try await HTTP.get(s.base + "/metrics")
            #expect(metrics.headers.first(name: "content-type")?.hasPrefix("text/plain") == true)
        }
    }

    @Test("every relative module import of every script is served")
    func importsResolve() async throws {
        try await withServer { s in
            var queue = ["js/app.js"]
            var seen = Set<String>()
            while let file = queue.popLast() {
                guard seen.insert(file).inserted else { continue }
                let r = try await HTTP.get(s.base + "/assets/" + file)
                #expect(r.status == 200, "\(file)")
                for spec in Self.importSpecifiers(r.text) where spec.hasPrefix(".") {
                    queue.append(Self.resolve(spec, from: file))
                }
            }
            #expect(seen.count >= 10)
        }
    }

    /// A relative module specifier against the importing file, as a URL resolves it.
    static func resolve(_ spec: String, from file: String) -> String {
        var parts = file.split(separator: "/").dropLast().map(String.init)
        for seg in spec.split(separator: "/") {
            if seg == "." { continue }
            if seg == ".." { _ = parts.popLast() } else { parts.append(String(seg)) }
        }
        return parts.joined(separator: "/")
    }

    /// `from './x.js'` and `import('./x.js')` specifiers.
    static func importSpecifiers(_ source: String) -> [String] {
        var out: [String] = []
        for marker in ["from '", "import('", "import '"] {
            var rest = Substring(source)
            while let r = rest.range(of: marker) {
                let after = rest[r.upperBound...]
                if let end = after.firstIndex(of: "'") { out.append(String(after[..<end])) }
                rest = after
            }
        }
        return out
    }
}
