import StrataEvents

/// The reference answer for a search: a brute-force scan over every event
/// ever appended, written independently of the index (tokenising by hand).
enum Oracle {
    static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var cur: [UInt8] = []
        func flush() {
            if cur.isEmpty { return }
            var t = cur
            if t.count > 64 {
                var end = 64
                while end > 0 && t[end] & 0xC0 == 0x80 { end -= 1 }
                t = Array(t[..<end])
            }
            out.append(String(decoding: t, as: UTF8.self))
            cur = []
        }
        for b in s.utf8 {
            let word = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 || b >= 0x80
            if word { cur.append(b >= 65 && b <= 90 ? b + 32 : b) } else { flush() }
        }
        flush()
        return out
    }

    static func fields(_ e: Event) -> [String] {
        [e.description, e.user, e.type.name, e.action, e.source] + e.attributes.map(\.value)
    }

    /// Events with their fields tokenised once.
    struct Indexed {
        var event: Event
        var fieldTokens: [[String]]
        var all: [String]

        init(_ e: Event) {
            event = e
            fieldTokens = Oracle.fields(e).map(Oracle.tokens)
            all = fieldTokens.flatMap { $0 }
        }
    }

    static func matchesText(_ x: Indexed, _ q: TextQuery) -> Bool {
        let fieldTokens = x.fieldTokens
        let all = x.all
        for t in q.terms where !all.contains(where: { Array($0.utf8) == Array(t.utf8) }) { return false }
        for p in q.prefixes where !all.contains(where: { $0.utf8.starts(with: p.utf8) }) { return false }
        for ph in q.phrases {
            let k = ph.tokens.count
            var found = false
            for toks in fieldTokens where toks.count >= k {
                for s in 0...(toks.count - k) {
                    var ok = true
                    for j in 0..<k {
                        let a = Array(toks[s + j].utf8), b = Array(ph.tokens[j].utf8)
                        if j == k - 1 && ph.lastIsPrefix ? !a.starts(with: b) : a != b { ok = false; break }
                    }
                    if ok { found = true; break }
                }
                if found { break }
            }
            if !found { return false }
        }
        return true
    }

    struct Answer {
        var events: [Event]
        var total: Int
        var typeFacets: [EventType: Int]
        var severityFacets: [Severity: Int]
    }

    static func answer(_ all: [Indexed], _ q: EventQuery) -> Answer {
        var base: [Event] = []
        for x in all where x.event.timestamp >= q.start && x.event.timestamp <= q.end {
            let e = x.event
            if let u = q.user, !Array(u.utf8).elementsEqual(e.user.utf8) { continue }
            if !matchesText(x, q.text) { continue }
            base.append(e)
        }
        let tOK = { (e: Event) in q.types.isEmpty || q.types.contains(e.type) }
        let sOK = { (e: Event) in q.severities.isEmpty || q.severities.contains(e.severity) }
        var tf: [EventType: Int] = [:]
        var sf: [Severity: Int] = [:]
        for s in Severity.allCases { sf[s] = 0 }
        for e in base {
            if sOK(e) { tf[e.type, default: 0] += 1 }
            if tOK(e) { sf[e.severity, default: 0] += 1 }
        }
        let hits = base.filter { tOK($0) && sOK($0) }.sorted {
            $0.timestamp != $1.timestamp ? $0.timestamp > $1.timestamp : $0.id > $1.id
        }
        return Answer(events: hits, total: hits.count, typeFacets: tf, severityFacets: sf)
    }
}
