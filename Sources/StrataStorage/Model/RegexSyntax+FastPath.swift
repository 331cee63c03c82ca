/// What a Prometheus regex reduces to when it needs no regex engine.
///
/// Label matchers in real queries are overwhelmingly literals, alternations of
/// literals (`job=~"api|web"`, as Grafana template variables produce) and
/// prefix/suffix/contains wildcards; Prometheus special-cases the same shapes
/// (`model/labels/regexp.go`). Because matching is fully anchored and `.`
/// matches every character (Prometheus 3), `abc.*` is exactly "has prefix abc".
enum RegexFastPath: Equatable {
    case literal(String)
    /// At least two distinct literals, sorted by UTF-8 bytes.
    case set([String])
    case prefix(String)
    case suffix(String)
    case contains(String)
    /// `.*`
    case any
    /// `.+`
    case nonEmpty
    /// Needs the regex engine. `prefix`/`suffix` are literals every match
    /// starts/ends with (possibly empty), checked before running the engine.
    case regex(prefix: String, suffix: String)
}

extension RegexSyntax {
    var fastPath: RegexFastPath {
        // Flags such as (?i) or (?m) change what literals and anchors mean.
        if hasFlags { return .regex(prefix: "", suffix: "") }

        var alternatives: [ArraySlice<Item>] = []
        var start = 0
        for (k, item) in items.enumerated() where item == .bar {
            alternatives.append(items[start..<k])
            start = k + 1
        }
        alternatives.append(items[start...])
        // `^` at the start and `$` at the end of a top-level alternative are
        // always satisfied by a fully anchored match.
        alternatives = alternatives.map { alt in
            var a = alt
            while a.first == .beginAnchor { a.removeFirst() }
            while a.last == .endAnchor { a.removeLast() }
            return a
        }

        if alternatives.count > 1 {
            var values: [String] = []
            for alt in alternatives {
                guard let lit = RegexSyntax.literalString(alt) else { return .regex(prefix: "", suffix: "") }
                values.append(lit)
            }
            let unique = Dictionary(values.map { (UTF8Key($0), $0) }, uniquingKeysWith: { a, _ in a }).values
            let sorted = unique.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            return sorted.count == 1 ? .literal(sorted[0]) : .set(sorted)
        }

        let seq = alternatives[0]
        if let lit = RegexSyntax.literalString(seq) { return .literal(lit) }
        let star = [Item.dot, .quantifier(min: 0, max: nil)]
        let plus = [Item.dot, .quantifier(min: 1, max: nil)]
        if Array(seq) == star { return .any }
        if Array(seq) == plus { return .nonEmpty }
        let leadingStar = seq.starts(with: star)
        let trailingStar = seq.count >= 2 && Array(seq.suffix(2)) == star
        // The wildcard fast paths test "no newline anywhere" for `.` (2.x
        // semantics), which is only right when the literal has none itself.
        if leadingStar && trailingStar && seq.count > 4,
           let lit = RegexSyntax.literalString(seq.dropFirst(2).dropLast(2)), !lit.utf8.contains(0x0A) {
            return .contains(lit)
        }
        if trailingStar, let lit = RegexSyntax.literalString(seq.dropLast(2)), !lit.utf8.contains(0x0A) { return .prefix(lit) }
        if leadingStar, let lit = RegexSyntax.literalString(seq.dropFirst(2)), !lit.utf8.contains(0x0A) { return .suffix(lit) }

        // General case: literal runs at either end are necessary conditions.
        var head = String.UnicodeScalarView()
        var k = seq.startIndex
        while k < seq.endIndex, case .literal(let c) = seq[k] {
            if k + 1 < seq.endIndex, case .quantifier = seq[k + 1] { break }
            head.append(c)
            k += 1
        }
        var tailScalars: [Unicode.Scalar] = []
        var e = seq.endIndex - 1
        while e >= k, case .literal(let c) = seq[e] {
            tailScalars.append(c)
            e -= 1
        }
        return .regex(prefix: String(head), suffix: String(String.UnicodeScalarView(tailScalars.reversed())))
    }

    /// The string an all-literal item sequence matches, or nil.
    static func literalString(_ items: ArraySlice<Item>) -> String? {
        var s = String.UnicodeScalarView()
        for item in items {
            guard case .literal(let c) = item else { return nil }
            s.append(c)
        }
        return String(s)
    }
}
