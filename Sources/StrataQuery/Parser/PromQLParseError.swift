/// A query that does not parse or does not type-check.
///
/// `description` is Prometheus' format, `"<line>:<column>: parse error: <message>"`,
/// with a 1-based line and a 1-based column counted in UTF-8 bytes from the
/// start of the line (as Prometheus' `ParseErr.Error()`), e.g.
/// `1:6: parse error: unexpected "("`.
public struct PromQLParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message without position, e.g. `unexpected end of input`.
    public var message: String
    /// Where the problem is, in UTF-8 byte offsets into the query.
    public var position: PositionRange
    /// 1-based line of `position.start`.
    public var line: Int
    /// 1-based column of `position.start`, in bytes.
    public var column: Int

    public init(message: String, position: PositionRange, query: String) {
        self.message = message
        self.position = position
        var line = 1
        var lastLineBreak = -1
        var i = 0
        for b in query.utf8 {
            if i >= position.start { break }
            if b == 0x0A { line += 1; lastLineBreak = i }
            i += 1
        }
        self.line = line
        self.column = position.start - lastLineBreak
    }

    public var description: String { "\(line):\(column): parse error: \(message)" }
}
