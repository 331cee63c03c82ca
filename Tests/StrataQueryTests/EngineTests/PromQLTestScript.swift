import StrataQuery

/// A PromQL test script: a subset of Prometheus' promqltest format.
///
/// ```
/// # comment
/// load 1m
///     http_requests{job="api"} 0+10x10 _ 5 stale
/// clear
/// eval instant at 5m sum(http_requests)
///     {} 50
/// eval_ordered instant at 5m sort(http_requests)
///     http_requests{job="api"} 50
/// eval range from 0 to 10m step 1m http_requests
///     http_requests{job="api"} 0+10x10
/// eval_fail instant at 0 foo[5m] + 1
///     expected_fail_message <substring of the error>
/// ```
///
/// Series values: `a+bxn` expands to n+1 values a, a+b, ..., a+n·b (also
/// `a-bxn`, `axn` for n+1 copies of a), `_` is a missing sample (`_xn`: n
/// of them), `stale` a staleness marker, numbers as Go parses them (`Inf`,
/// `NaN`, `1e3`). Sample i of a series is at i × interval. A scalar result is
/// a bare number on its own line.
struct PromQLTestScript {
    enum Command {
        case load(interval: Int64, series: [(labels: Labels, samples: [(Int64, Double)])], line: Int)
        case clear
        case eval(Eval)
    }

    struct Eval {
        enum Kind { case instant(Int64), range(start: Int64, end: Int64, step: Int64) }
        var kind: Kind
        var query: String
        var ordered: Bool
        var shouldFail: Bool
        var failMessage: String?
        /// Expected series (label set → values per step, nil for "no value").
        var expected: [(labels: Labels, values: [Double?])] = []
        var expectedScalar: Double?
        var line: Int
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var commands: [Command] = []

    init(_ text: String) throws(ParseError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        while i < lines.count {
            let raw = lines[i]
            let line = raw.trimmingSpaces()
            let lineNo = i + 1
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line == "clear" {
                commands.append(.clear)
                continue
            }
            if line.hasPrefix("load ") {
                let interval = try Self.duration(String(line.dropFirst(5)).trimmingSpaces(), lineNo)
                var series: [(Labels, [(Int64, Double)])] = []
                while i < lines.count, Self.isIndented(lines[i]) {
                    let body = lines[i].trimmingSpaces()
                    let n = i + 1
                    i += 1
                    if body.isEmpty || body.hasPrefix("#") { continue }
                    let (labels, rest) = try Self.labels(body, n)
                    let values = try Self.values(rest, n)
                    var samples: [(Int64, Double)] = []
                    for (k, v) in values.enumerated() { if let v { samples.append((Int64(k) * interval, v)) } }
                    series.append((labels, samples))
                }
                commands.append(.load(interval: interval, series: series, line: lineNo))
                continue
            }
            if line.hasPrefix("eval") {
                var words = line.split(separator: " ", maxSplits: 1).map(String.init)
                let verb = words[0]
                guard ["eval", "eval_ordered", "eval_fail"].contains(verb), words.count == 2 else {
                    throw ParseError(line: lineNo, message: "unknown command \(verb)")
                }
                words = words[1].split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                var kind: Eval.Kind
                var queryStart: Int
                if words.first == "instant", words.count >= 4, words[1] == "at" {
                    kind = .instant(try Self.duration(words[2], lineNo))
                    queryStart = 3
                } else if words.first == "range", words.count >= 8, words[1] == "from", words[3] == "to", words[5] == "step" {
                    kind = .range(start: try Self.duration(words[2], lineNo), end: try Self.duration(words[4], lineNo),
                                  step: try Self.duration(words[6], lineNo))
                    queryStart = 7
                } else {
                    throw ParseError(line: lineNo, message: "expected 'instant at <t>' or 'range from <t> to <t> step <d>'")
                }
                let query = words[queryStart...].joined(separator: " ")
                var ev = Eval(kind: kind, query: query, ordered: verb == "eval_ordered", shouldFail: verb == "eval_fail", line: lineNo)
                while i < lines.count, Self.isIndented(lines[i]) {
                    let body = lines[i].trimmingSpaces()
                    let n = i + 1
                    i += 1
                    if body.isEmpty || body.hasPrefix("#") { continue }
                    if body.hasPrefix("expected_fail_message ") {
                        ev.failMessage = String(body.dropFirst("expected_fail_message ".count))
                        continue
                    }
                    if let v = Self.number(body) {
                        ev.expectedScalar = v
                        continue
                    }
                    let (labels, rest) = try Self.labels(body, n)
                    ev.expected.append((labels, try Self.values(rest, n)))
                }
                commands.append(.eval(ev))
                continue
            }
            throw ParseError(line: lineNo, message: "unknown command: \(line)")
        }
    }

    static func isIndented(_ s: String) -> Bool { s.first == " " || s.first == "\t" || s.isEmpty && false }

    /// `5m`, `1h30m`, `0`, or plain seconds (`90`, `1.5`).
    static func duration(_ s: String, _ line: Int) throws(ParseError) -> Int64 {
        if let secs = Double(s) { return Int64((secs * 1000).rounded()) }
        var total: Int64 = 0
        var num: Int64 = 0
        var sawDigit = false
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if let d = c.wholeNumberValue, c.isASCII {
                num = num * 10 + Int64(d)
                sawDigit = true
                i += 1
                continue
            }
            guard sawDigit else { throw ParseError(line: line, message: "bad duration \(s)") }
            var unit: Int64
            if c == "m" && i + 1 < chars.count && chars[i + 1] == "s" {
                unit = 1
                i += 1
            } else {
                switch c {
                case "s": unit = 1000
                case "m": unit = 60_000
                case "h": unit = 3_600_000
                case "d": unit = 86_400_000
                case "w": unit = 7 * 86_400_000
                case "y": unit = 365 * 86_400_000
                default: throw ParseError(line: line, message: "bad duration \(s)")
                }
            }
            total += num * unit
            num = 0
            sawDigit = false
            i += 1
        }
        guard !sawDigit else { throw ParseError(line: line, message: "bad duration \(s)") }
        return total
    }

    static func number(_ s: String) -> Double? {
        switch s.lowercased() {
        case "nan": return .nan
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        default: return Double(s)
        }
    }

    /// `name{a="b", ...} rest` or `{...} rest`.
    static func labels(_ s: String, _ line: Int) throws(ParseError) -> (Labels, String) {
        let chars = Array(s.unicodeScalars)
        var i = 0
        var name = ""
        while i < chars.count, chars[i] != "{", chars[i] != " " {
            name.unicodeScalars.append(chars[i])
            i += 1
        }
        var pairs: [Label] = []
        if !name.isEmpty { pairs.append(Label(metricNameLabel, name)) }
        if i < chars.count, chars[i] == "{" {
            i += 1
            while true {
                while i < chars.count, chars[i] == " " || chars[i] == "," { i += 1 }
                guard i < chars.count else { throw ParseError(line: line, message: "unterminated label set") }
                if chars[i] == "}" { i += 1; break }
                var key = ""
                while i < chars.count, chars[i] != "=", chars[i] != " " {
                    key.unicodeScalars.append(chars[i])
                    i += 1
                }
                while i < chars.count, chars[i] == " " || chars[i] == "=" { i += 1 }
                guard i < chars.count, chars[i] == "\"" else { throw ParseError(line: line, message: "expected quoted label value") }
                i += 1
                var value = ""
                while i < chars.count, chars[i] != "\"" {
                    if chars[i] == "\\", i + 1 < chars.count {
                        i += 1
                        switch chars[i] {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        default: value.unicodeScalars.append(chars[i])
                        }
                    } else {
                        value.unicodeScalars.append(chars[i])
                    }
                    i += 1
                }
                guard i < chars.count else { throw ParseError(line: line, message: "unterminated label value") }
                i += 1
                pairs.append(Label(key, value))
            }
        }
        var rest = ""
        rest.unicodeScalars.append(contentsOf: chars[i...])
        return (Labels(sorting: pairs), rest.trimmingSpaces())
    }

    /// Expanding notation; nil for `_`.
    static func values(_ s: String, _ line: Int) throws(ParseError) -> [Double?] {
        var out: [Double?] = []
        for word in s.split(separator: " ", omittingEmptySubsequences: true).map(String.init) {
            if word == "_" { out.append(nil); continue }
            if word == "stale" { out.append(Double(bitPattern: 0x7ff0_0000_0000_0002)); continue }
            if let x = word.lastIndex(of: "x"), let n = Int(word[word.index(after: x)...]) {
                let head = String(word[..<x])
                if head == "_" {
                    out.append(contentsOf: [Double?](repeating: nil, count: n))
                    continue
                }
                if head == "stale" {
                    out.append(contentsOf: [Double?](repeating: Double(bitPattern: 0x7ff0_0000_0000_0002), count: n))
                    continue
                }
                // a+b or a-b (the sign after the first character).
                var start = head, delta = "0", sign = 1.0
                let body = Array(head)
                if let p = body.indices.dropFirst().first(where: { (body[$0] == "+" || body[$0] == "-") && body[$0 - 1] != "e" }) {
                    start = String(body[..<p])
                    delta = String(body[(p + 1)...])
                    sign = body[p] == "-" ? -1 : 1
                }
                guard let a = number(start), let b = number(delta) else {
                    throw ParseError(line: line, message: "bad series value \(word)")
                }
                // Repeated addition, as promqltest (differs from a + k·b in the last bits).
                var v = a
                for _ in 0...n {
                    out.append(v)
                    v += sign * b
                }
                continue
            }
            guard let v = number(word) else { throw ParseError(line: line, message: "bad value \(word)") }
            out.append(v)
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
