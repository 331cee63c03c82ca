import Foundation

/// The expressions of `corpus.txt`, read from the source tree (the file is
/// data, excluded from the test target; see Package.swift).
struct DifferentialCorpus {
    struct Entry {
        var line: Int
        /// As written, with `${t0…}` placeholders.
        var template: String
        /// The line's trailing PromQL comment says `# errortype-only`: error
        /// messages may differ (Prometheus' own message varies between runs).
        var errorTypeOnly: Bool { template.contains("# errortype-only") }

        /// The expression with `${t0}` / `${t0+600}` / `${t0-1.5}` replaced by
        /// seconds since the epoch (3 decimals at most).
        func expression(t0 ms: Int64) -> String {
            var out = ""
            var rest = Substring(template)
            while let open = rest.range(of: "${t0") {
                out += rest[..<open.lowerBound]
                guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
                let offset = Double(rest[open.upperBound..<close].replacingOccurrences(of: "+", with: "")) ?? 0
                out += PromTime.format(ms + Int64((offset * 1000).rounded()))
                rest = rest[rest.index(after: close)...]
            }
            return out + rest
        }
    }

    static let path: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("corpus.txt").path
    }()

    let entries: [Entry]

    init(text: String) {
        var entries: [Entry] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            entries.append(Entry(line: i + 1, template: line))
        }
        self.entries = entries
    }

    static func load() throws -> DifferentialCorpus {
        DifferentialCorpus(text: try String(contentsOfFile: path, encoding: .utf8))
    }
}

/// Query API timestamps: seconds with up to 3 decimals, as both servers parse them.
enum PromTime {
    static func format(_ ms: Int64) -> String {
        let sign = ms < 0 ? "-" : ""
        let a = ms.magnitude
        let frac = a % 1000
        if frac == 0 { return sign + String(a / 1000) }
        let f = String(frac)
        return sign + String(a / 1000) + "." + String(repeating: "0", count: 3 - f.count) + f
    }
}
