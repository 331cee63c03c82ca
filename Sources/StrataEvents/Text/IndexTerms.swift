/// The terms an event is indexed under (docs/format/events.md, "Terms"):
///
/// - every token of the description, of each attribute value, and of the
///   user, type name, action and source fields (what `q=` searches);
/// - the exact user, as the field term `"\u{1}u" + user` (what `user=`
///   filters on; the control byte keeps field terms apart from tokens,
///   which never contain one).
///
/// Type and severity need no terms: every block keeps the key byte of each
/// event in memory.
public enum IndexTerms {
    public static let userPrefix = "\u{1}u"

    public static func userTerm(_ user: String) -> String { userPrefix + user }

    /// The term of two adjacent tokens of one field: `0x02 a 0x02 b`. Blocks
    /// index the pairs whose tokens are both frequent, so that a phrase of
    /// frequent words needs no verification against the text.
    public static func bigramTerm(_ a: String, _ b: String) -> String { "\u{2}" + a + "\u{2}" + b }

    /// The smallest document frequency for which a block indexes bigrams: one
    /// event in 2,048 (at least 8). A phrase with a rarer token is checked
    /// against the text of its (at most that many per block) candidates.
    public static func bigramThreshold(events n: Int) -> Int { max(8, n / 2048) }

    /// Calls `body` with every term of `d` (tokens may repeat).
    public static func forEach(_ d: EventDraft, text: Bool, scratch: inout [UInt8], _ body: (String) -> Void) {
        forEachBytes(d, text: text, scratch: &scratch) { body(String(decoding: $0, as: UTF8.self)) }
    }

    /// Calls `body` with the bytes of every term of `d` (valid during the call).
    static func forEachBytes(_ d: EventDraft, text: Bool, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        var user = d.user
        user.withUTF8 { u in
            scratch.removeAll(keepingCapacity: true)
            scratch.append(1)
            scratch.append(UInt8(ascii: "u"))
            scratch.append(contentsOf: u)
        }
        scratch.withUnsafeBytes { body($0) }
        guard text else { return }
        Tokenizer.forEachToken(d.description, scratch: &scratch, body)
        for a in d.attributes { Tokenizer.forEachToken(a.value, scratch: &scratch, body) }
        Tokenizer.forEachToken(d.user, scratch: &scratch, body)
        Tokenizer.forEachToken(d.type.name, scratch: &scratch, body)
        Tokenizer.forEachToken(d.action, scratch: &scratch, body)
        Tokenizer.forEachToken(d.source, scratch: &scratch, body)
    }

    /// The fields a phrase may lie in, each searched on its own.
    public static func phraseFields(_ d: EventDraft) -> [String] {
        var f = [d.description, d.user, d.type.name, d.action, d.source]
        for a in d.attributes { f.append(a.value) }
        return f
    }
}
