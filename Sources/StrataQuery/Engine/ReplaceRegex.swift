import StrataStorage

/// The regular expression of `label_replace`, with Go's `Regexp.Expand`
/// rules for the replacement: `$1`, `${1}`, `$name`, `${name}`, `$$`.
///
/// Prometheus anchors the pattern (`^(?:re)$`) and uses Go's RE2. This uses
/// Swift's `Regex` on StrataStorage's RE2 rewrite of the pattern (the one
/// label matchers use), so patterns RE2 refuses are refused, and classes,
/// `.` and flags mean what they mean in RE2.
struct ReplaceRegex {
    struct Invalid: Error {}

    private let regex: Regex<AnyRegexOutput>
    /// For patterns with nested repetition: a linear-time full-match test
    /// run first, so a value that does not match (where backtracking can
    /// take exponential time) never reaches `regex` (issue #7).
    private let linear: LinearRegex?

    init(_ pattern: String) throws(Invalid) {
        guard let translated = try? RE2Pattern.swiftSyntax(pattern) else { throw Invalid() }
        linear = LinearRegex.compile(pattern)
        do {
            regex = try Regex("^(?:" + translated + ")$")
                // RE2 matches code points, not grapheme clusters; its `\b`
                // is the ASCII word boundary.
                .matchingSemantics(.unicodeScalar)
                .wordBoundaryKind(.simple)
                .asciiOnlyWordCharacters()
        } catch {
            throw Invalid()
        }
    }

    /// The expanded replacement if `value` matches, nil otherwise.
    func expand(_ template: String, matching value: String) -> String? {
        if let linear, !linear.matches(value) { return nil }
        guard let match = try? regex.wholeMatch(in: value) else { return nil }
        func group(_ key: String) -> String {
            // Go's `extract`: all digits and no leading zero is a group number;
            // anything else (`01`, `1x`) is a group name.
            if let n = Int(key), key.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), key.utf8.count == 1 || key.utf8.first != 0x30 {
                guard n < match.output.count, let sub = match.output[n].substring else { return "" }
                return String(sub)
            }
            guard let m = match.output[key], let sub = m.substring else { return "" }
            return String(sub)
        }
        var out = ""
        let chars = Array(template.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c == "$" else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < chars.count else { out += "$"; break }
            if chars[i] == "$" {
                out += "$"
                i += 1
                continue
            }
            if chars[i] == "{" {
                var j = i + 1
                var name = ""
                while j < chars.count && Self.isNameChar(chars[j]) {
                    name.unicodeScalars.append(chars[j])
                    j += 1
                }
                if j < chars.count && chars[j] == "}" && !name.isEmpty {
                    out += group(name)
                    i = j + 1
                } else {
                    // Go: a malformed reference is copied as is.
                    out += "$"
                }
                continue
            }
            var j = i
            var name = ""
            while j < chars.count && Self.isNameChar(chars[j]) {
                name.unicodeScalars.append(chars[j])
                j += 1
            }
            if name.isEmpty {
                out += "$"
                continue
            }
            out += group(name)
            i = j
        }
        return out
    }

    private static func isNameChar(_ c: Unicode.Scalar) -> Bool {
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || c == "_"
    }
}
