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

    /// Calls `body` with every term of `d` (tokens may repeat).
    public static func forEach(_ d: EventDraft, text: Bool, scratch: inout [UInt8], _ body: (String) -> Void) {
        body(userTerm(d.user))
        guard text else { return }
        let emit: (UnsafeRawBufferPointer) -> Void = { body(String(decoding: $0, as: UTF8.self)) }
        Tokenizer.forEachToken(d.description, scratch: &scratch, emit)
        for a in d.attributes { Tokenizer.forEachToken(a.value, scratch: &scratch, emit) }
        Tokenizer.forEachToken(d.user, scratch: &scratch, emit)
        Tokenizer.forEachToken(d.type.name, scratch: &scratch, emit)
        Tokenizer.forEachToken(d.action, scratch: &scratch, emit)
        Tokenizer.forEachToken(d.source, scratch: &scratch, emit)
    }

    /// The fields a phrase may lie in, each searched on its own.
    public static func phraseFields(_ d: EventDraft) -> [String] {
        var f = [d.description, d.user, d.type.name, d.action, d.source]
        for a in d.attributes { f.append(a.value) }
        return f
    }
}
