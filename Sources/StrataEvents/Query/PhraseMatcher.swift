/// Whether an event contains a phrase: its tokens consecutively within one
/// field (description, user, type, action, source, or one attribute value).
enum PhraseMatcher {
    static func matches(_ d: EventDraft, _ phrases: [TextQuery.Phrase], scratch: inout [UInt8]) -> Bool {
        guard !phrases.isEmpty else { return true }
        let fields = IndexTerms.phraseFields(d)
        var tokenized: [[String]] = []
        tokenized.reserveCapacity(fields.count)
        for f in fields {
            var toks: [String] = []
            Tokenizer.forEachToken(f, scratch: &scratch) { toks.append(String(decoding: $0, as: UTF8.self)) }
            tokenized.append(toks)
        }
        for p in phrases {
            var found = false
            for toks in tokenized where contains(toks, p) {
                found = true
                break
            }
            if !found { return false }
        }
        return true
    }

    static func contains(_ toks: [String], _ p: TextQuery.Phrase) -> Bool {
        let k = p.tokens.count
        guard k > 0, toks.count >= k else { return false }
        for s in 0...(toks.count - k) {
            var ok = true
            for j in 0..<k {
                let t = toks[s + j]
                if j == k - 1 && p.lastIsPrefix {
                    if !t.bytesHavePrefix(p.tokens[j]) { ok = false; break }
                } else if !t.bytesEqual(p.tokens[j]) {
                    ok = false
                    break
                }
            }
            if ok { return true }
        }
        return false
    }
}
