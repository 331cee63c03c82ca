/// The free-text part of a search (`q=`), parsed (docs/events.md, "Search syntax"):
///
/// - `word` must occur as a token; words are ANDed;
/// - `"some phrase"` must occur as consecutive tokens within one field;
/// - `pre*` matches any token starting with `pre`.
///
/// A word that tokenizes into several tokens (`10.0.0.7`, `alice@example.com`)
/// is a phrase of them. Matching is case-insensitive for ASCII.
public struct TextQuery: Sendable, Equatable {
    public struct Phrase: Sendable, Equatable {
        public var tokens: [String]
        /// The last token matches as a prefix (`"failed log*"`).
        public var lastIsPrefix: Bool

        public init(tokens: [String], lastIsPrefix: Bool = false) {
            self.tokens = tokens
            self.lastIsPrefix = lastIsPrefix
        }
    }

    public var terms: [String] = []
    public var prefixes: [String] = []
    public var phrases: [Phrase] = []

    public init() {}

    public init(terms: [String] = [], prefixes: [String] = [], phrases: [Phrase] = []) {
        self.terms = terms
        self.prefixes = prefixes
        self.phrases = phrases
    }

    public var isEmpty: Bool { terms.isEmpty && prefixes.isEmpty && phrases.isEmpty }

    /// Parses `q`. Never fails: an unclosed quote runs to the end; text
    /// without any token (`*`, `--`) is ignored.
    public static func parse(_ q: String) -> TextQuery {
        var out = TextQuery()
        let u = Array(q.utf8)
        var i = 0
        func add(_ text: ArraySlice<UInt8>) {
            var bytes = Array(text)
            var prefix = false
            if let last = bytes.last, last == UInt8(ascii: "*") {
                prefix = true
                while bytes.last == UInt8(ascii: "*") { bytes.removeLast() }
            }
            let toks = Tokenizer.tokens(String(decoding: bytes, as: UTF8.self))
            // `pre*` only acts as a prefix if the `*` directly follows a token byte.
            if prefix, let b = bytes.last, !Tokenizer.isTokenByte(b) { prefix = false }
            if toks.isEmpty { return }
            if toks.count == 1 {
                if prefix { out.prefixes.append(toks[0]) } else { out.terms.append(toks[0]) }
            } else {
                out.phrases.append(Phrase(tokens: toks, lastIsPrefix: prefix))
            }
        }
        while i < u.count {
            let c = u[i]
            if c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") {
                i += 1
                continue
            }
            if c == UInt8(ascii: "\"") {
                let start = i + 1
                var j = start
                while j < u.count && u[j] != UInt8(ascii: "\"") { j += 1 }
                add(u[start..<j])
                i = j + 1
                continue
            }
            let start = i
            while i < u.count && u[i] != UInt8(ascii: " ") && u[i] != UInt8(ascii: "\t") && u[i] != UInt8(ascii: "\n")
                    && u[i] != UInt8(ascii: "\"") { i += 1 }
            add(u[start..<i])
        }
        out.terms = Array(Set(out.terms)).sorted()
        out.prefixes = Array(Set(out.prefixes)).sorted()
        return out
    }
}
