/// A small strict JSON (RFC 8259) reader over a request body for the event
/// endpoints' fixed shapes: strings and numbers are read in place, keys are
/// compared as bytes, and every read is bounds-checked. Errors carry the
/// byte offset, turned into line:column only when one is reported.
struct EventJSONScanner {
    let base: UnsafeRawBufferPointer
    var pos = 0
    var scratch: [UInt8] = []
    var event: Int?

    init(_ base: UnsafeRawBufferPointer) { self.base = base }

    func error(_ message: String, at offset: Int? = nil) -> EventJSONError {
        let o = min(offset ?? pos, base.count)
        var line = 1, lineStart = 0
        for i in 0..<o where base[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return EventJSONError(message: message, offset: o, line: line, column: o - lineStart + 1, event: event)
    }

    mutating func skipWhitespace() {
        while pos < base.count, base[pos] == 0x20 || base[pos] == 0x0A || base[pos] == 0x0D || base[pos] == 0x09 { pos += 1 }
    }

    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < base.count ? base[pos] : nil
    }

    mutating func expect(_ c: UInt8) throws(EventJSONError) {
        guard let b = peek() else { throw error("unexpected end of input, expected '\(Character(UnicodeScalar(c)))'") }
        guard b == c else { throw error("expected '\(Character(UnicodeScalar(c)))', found '\(Self.show(b))'") }
        pos += 1
    }

    static func show(_ b: UInt8) -> String {
        b >= 0x20 && b < 0x7f ? String(Character(UnicodeScalar(b))) : "\\x" + String(b, radix: 16)
    }

    /// Consumes `{` or `[`; false if the container is empty (closing byte consumed too).
    mutating func open(_ o: UInt8, _ c: UInt8) throws(EventJSONError) -> Bool {
        try expect(o)
        if peek() == c {
            pos += 1
            return false
        }
        return true
    }

    /// After an element: `,` → true, the closing byte → false.
    mutating func next(_ c: UInt8) throws(EventJSONError) -> Bool {
        guard let b = peek() else { throw error("unexpected end of input") }
        pos += 1
        if b == UInt8(ascii: ",") { return true }
        if b == c { return false }
        pos -= 1
        throw error("expected ',' or '\(Character(UnicodeScalar(c)))', found '\(Self.show(b))'")
    }

    /// Reads a string value.
    mutating func string() throws(EventJSONError) -> String {
        guard let b = peek() else { throw error("unexpected end of input, expected a string") }
        guard b == UInt8(ascii: "\"") else { throw error("expected a string, found '\(Self.show(b))'") }
        let start = pos
        pos += 1
        scratch.removeAll(keepingCapacity: true)
        while pos < base.count {
            let c = base[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: scratch, as: UTF8.self) else { throw error("invalid UTF-8 in string", at: start) }
                return s
            }
            if c < 0x20 { throw error("unescaped control character in string") }
            if c != UInt8(ascii: "\\") {
                scratch.append(c)
                pos += 1
                continue
            }
            let at = pos
            guard pos + 1 < base.count else { throw error("unexpected end of input in string") }
            let e = base[pos + 1]
            pos += 2
            switch e {
            case UInt8(ascii: "\""): scratch.append(0x22)
            case UInt8(ascii: "\\"): scratch.append(0x5C)
            case UInt8(ascii: "/"): scratch.append(0x2F)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var v = UInt32(try hex4(at))
                if v >= 0xD800 && v <= 0xDBFF {
                    guard pos + 1 < base.count, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                        throw error("unpaired UTF-16 surrogate", at: at)
                    }
                    pos += 2
                    let lo = UInt32(try hex4(at))
                    guard lo >= 0xDC00 && lo <= 0xDFFF else { throw error("invalid UTF-16 surrogate pair", at: at) }
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
                } else if v >= 0xDC00 && v <= 0xDFFF {
                    throw error("unpaired UTF-16 surrogate", at: at)
                }
                guard let scalar = Unicode.Scalar(v) else { throw error("invalid \\u escape", at: at) }
                scratch.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw error("invalid escape '\\\(Self.show(e))'", at: at)
            }
        }
        throw error("unterminated string", at: start)
    }

    private mutating func hex4(_ at: Int) throws(EventJSONError) -> UInt16 {
        guard base.count - pos >= 4 else { throw error("truncated \\u escape", at: at) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let c = base[pos]
            let d: UInt8
            switch c {
            case 48...57: d = c - 48
            case 97...102: d = c - 87
            case 65...70: d = c - 55
            default: throw error("invalid \\u escape", at: at)
            }
            v = v << 4 | UInt16(d)
            pos += 1
        }
        return v
    }

    /// The raw text of a number (strict JSON syntax).
    mutating func numberText() throws(EventJSONError) -> Substring {
        _ = peek()
        let start = pos
        if pos < base.count, base[pos] == UInt8(ascii: "-") { pos += 1 }
        func digits() -> Int {
            let s = pos
            while pos < base.count, base[pos] >= 48, base[pos] <= 57 { pos += 1 }
            return pos - s
        }
        let intDigits = digits()
        guard intDigits > 0 else { throw error("invalid number", at: start) }
        if intDigits > 1 && base[pos - intDigits] == 48 { throw error("invalid number (leading zero)", at: start) }
        if pos < base.count, base[pos] == UInt8(ascii: ".") {
            pos += 1
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        if pos < base.count, base[pos] | 0x20 == UInt8(ascii: "e") {
            pos += 1
            if pos < base.count, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            guard digits() > 0 else { throw error("invalid number", at: start) }
        }
        return Substring(String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<pos]), as: UTF8.self))
    }

    mutating func literal(_ word: String) throws(EventJSONError) {
        _ = peek()
        let w = Array(word.utf8)
        guard base.count - pos >= w.count, UnsafeRawBufferPointer(rebasing: base[pos..<(pos + w.count)]).elementsEqual(w) else {
            throw error("invalid literal")
        }
        pos += w.count
    }

    /// An attribute value: a string, or a number/bool kept as its JSON text.
    mutating func scalarText() throws(EventJSONError) -> String {
        guard let b = peek() else { throw error("unexpected end of input") }
        switch b {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"): try literal("true"); return "true"
        case UInt8(ascii: "f"): try literal("false"); return "false"
        case UInt8(ascii: "-"), 48...57: return String(try numberText())
        default: throw error("attribute values must be strings, numbers or booleans")
        }
    }

    /// Whether the next value is `null` (consumed if so).
    mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        do { try literal("null") } catch { return false }
        return true
    }

    /// A string, or "" for `null`.
    mutating func optionalString() throws(EventJSONError) -> String {
        if null() { return "" }
        return try string()
    }

    mutating func end() throws(EventJSONError) {
        if let b = peek() { throw error("unexpected '\(Self.show(b))' after the end of the JSON value") }
    }
}
