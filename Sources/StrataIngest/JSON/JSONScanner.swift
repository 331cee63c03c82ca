/// A small JSON (RFC 8259) tokenizer over request bytes, for the import
/// endpoint's fixed shapes. Foundation's JSONDecoder costs about 1 s per
/// 100k small structs on our 2-core machines, far too slow for ingestion;
/// this one reads strings and numbers in place and allocates only the
/// `String`s it returns (keys are compared as bytes).
///
/// Every read checks `pos < end`; errors carry the byte offset.
struct JSONScanner {
    let base: UnsafeRawBufferPointer
    var pos = 0
    let end: Int
    /// Unescaped string bytes, reused.
    var scratch: [UInt8] = []

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
        self.end = base.count
    }

    func error(_ reason: JSONImportError.Reason, at offset: Int? = nil) -> JSONImportError {
        let o = min(offset ?? pos, end)
        return JSONImportError(reason, offset: o, position: TextPosition(of: o, in: base))
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            switch base[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed; nil at the end.
    @inline(__always)
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return pos < end ? base[pos] : nil
    }

    @inline(__always)
    mutating func expect(_ b: UInt8) throws(JSONImportError) {
        guard let c = peek() else { throw error(.unexpectedEnd) }
        guard c == b else { throw error(.unexpectedCharacter(c)) }
        pos += 1
    }

    /// After an element of an object or array: consumes `,` and returns
    /// true, or consumes `close` and returns false.
    @inline(__always)
    mutating func nextElement(close: UInt8) throws(JSONImportError) -> Bool {
        guard let c = peek() else { throw error(.unexpectedEnd) }
        pos += 1
        if c == UInt8(ascii: ",") { return true }
        if c == close { return false }
        pos -= 1
        throw error(.unexpectedCharacter(c))
    }

    /// Consumes `open` and returns false if the container is empty (its
    /// closing byte consumed too).
    @inline(__always)
    mutating func openContainer(_ open: UInt8, close: UInt8) throws(JSONImportError) -> Bool {
        try expect(open)
        if peek() == close {
            pos += 1
            return false
        }
        return true
    }

    // MARK: strings

    /// A scanned string: raw bytes in `base[range]` when it had no escapes,
    /// otherwise unescaped into `scratch`.
    struct StringToken {
        var range: Range<Int>
        var escaped: Bool
    }

    /// Scans a string (the opening quote is next, after whitespace).
    mutating func scanString() throws(JSONImportError) -> StringToken {
        guard let c = peek() else { throw error(.unexpectedEnd) }
        guard c == UInt8(ascii: "\"") else { throw error(.unexpectedCharacter(c)) }
        pos += 1
        let start = pos
        while pos < end {
            let b = base[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return StringToken(range: start..<(pos - 1), escaped: false)
            }
            if b == UInt8(ascii: "\\") {
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: base[start..<pos]))
                try unescapeRest()
                return StringToken(range: start..<pos, escaped: true)
            }
            if b < 0x20 { throw error(.controlCharacterInString) }
            pos += 1
        }
        throw error(.unexpectedEnd)
    }

    /// Continues a string from its first backslash, unescaping into `scratch`.
    mutating func unescapeRest() throws(JSONImportError) {
        while pos < end {
            let b = base[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                return
            }
            if b < 0x20 { throw error(.controlCharacterInString) }
            if b != UInt8(ascii: "\\") {
                scratch.append(b)
                pos += 1
                continue
            }
            let escapeAt = pos
            guard pos + 1 < end else { throw error(.unexpectedEnd) }
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
                var unit = try readHex4(at: escapeAt)
                var scalarValue = UInt32(unit)
                if unit >= 0xD800 && unit <= 0xDBFF {
                    // A high surrogate must be followed by an escaped low one.
                    guard pos + 1 < end, base[pos] == UInt8(ascii: "\\"), base[pos + 1] == UInt8(ascii: "u") else {
                        throw error(.invalidSurrogate, at: escapeAt)
                    }
                    pos += 2
                    unit = try readHex4(at: escapeAt)
                    guard unit >= 0xDC00 && unit <= 0xDFFF else { throw error(.invalidSurrogate, at: escapeAt) }
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                } else if unit >= 0xDC00 && unit <= 0xDFFF {
                    throw error(.invalidSurrogate, at: escapeAt)
                }
                guard let scalar = Unicode.Scalar(scalarValue) else { throw error(.invalidSurrogate, at: escapeAt) }
                scratch.append(contentsOf: UTF8.encode(scalar)!)
            default:
                throw error(.invalidEscape, at: escapeAt)
            }
        }
        throw error(.unexpectedEnd)
    }

    mutating func readHex4(at escapeAt: Int) throws(JSONImportError) -> UInt16 {
        guard end - pos >= 4 else { throw error(.unexpectedEnd) }
        var v: UInt16 = 0
        for _ in 0..<4 {
            let b = base[pos]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw error(.invalidEscape, at: escapeAt)
            }
            v = v << 4 | UInt16(d)
            pos += 1
        }
        return v
    }

    /// The token as a validated `String`.
    func string(_ t: StringToken) throws(JSONImportError) -> String {
        let s = t.escaped ? makeValidatedString(scratch) : makeValidatedString(base, t.range)
        guard let s else { throw error(.invalidUTF8, at: t.range.lowerBound) }
        return s
    }

    /// Whether the token's (unescaped) bytes equal `literal`.
    func equals(_ t: StringToken, _ literal: StaticString) -> Bool {
        let lit = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if t.escaped { return scratch.elementsEqual(lit) }
        return UnsafeRawBufferPointer(rebasing: base[t.range]).elementsEqual(lit)
    }

    // MARK: numbers

    /// Scans a JSON number, strictly: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    /// Returns its range and whether it is a plain integer.
    mutating func scanNumber() throws(JSONImportError) -> (range: Range<Int>, isInteger: Bool) {
        _ = peek()
        let start = pos
        var isInteger = true
        if pos < end, base[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < end, isDigit(base[pos]) else { throw error(.invalidNumber, at: start) }
        if base[pos] == UInt8(ascii: "0") {
            pos += 1
            // No leading zeros (`01`).
            if pos < end, isDigit(base[pos]) { throw error(.invalidNumber, at: start) }
        } else {
            while pos < end, isDigit(base[pos]) { pos += 1 }
        }
        if pos < end, base[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            guard pos < end, isDigit(base[pos]) else { throw error(.invalidNumber, at: start) }
            while pos < end, isDigit(base[pos]) { pos += 1 }
        }
        if pos < end, base[pos] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            pos += 1
            if pos < end, base[pos] == UInt8(ascii: "+") || base[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < end, isDigit(base[pos]) else { throw error(.invalidNumber, at: start) }
            while pos < end, isDigit(base[pos]) { pos += 1 }
        }
        return (start..<pos, isInteger)
    }

    // MARK: skipping

    /// Skips any JSON value (unknown keys), nesting at most `depth` more levels.
    mutating func skipValue(depth: Int, limit: Int) throws(JSONImportError) {
        guard let c = peek() else { throw error(.unexpectedEnd) }
        switch c {
        case UInt8(ascii: "{"):
            guard depth < limit else { throw error(.tooDeep(limit: limit)) }
            if try openContainer(UInt8(ascii: "{"), close: UInt8(ascii: "}")) {
                repeat {
                    _ = try scanString()
                    try expect(UInt8(ascii: ":"))
                    try skipValue(depth: depth + 1, limit: limit)
                } while try nextElement(close: UInt8(ascii: "}"))
            }
        case UInt8(ascii: "["):
            guard depth < limit else { throw error(.tooDeep(limit: limit)) }
            if try openContainer(UInt8(ascii: "["), close: UInt8(ascii: "]")) {
                repeat {
                    try skipValue(depth: depth + 1, limit: limit)
                } while try nextElement(close: UInt8(ascii: "]"))
            }
        case UInt8(ascii: "\""):
            _ = try scanString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default:
            _ = try scanNumber()
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONImportError) {
        let n = word.utf8CodeUnitCount
        let lit = UnsafeRawBufferPointer(start: word.utf8Start, count: n)
        guard end - pos >= n, UnsafeRawBufferPointer(rebasing: base[pos..<(pos + n)]).elementsEqual(lit) else {
            throw error(pos < end ? .unexpectedCharacter(base[pos]) : .unexpectedEnd)
        }
        pos += n
    }
}
