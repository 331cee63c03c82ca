/// A half-open range of UTF-8 byte offsets into the query text.
///
/// Prometheus reports positions in bytes (its lexer walks a Go string), so
/// we do the same; `PromQLParseError` turns an offset into line:column.
public struct PositionRange: Sendable, Hashable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    @inlinable
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }

    public var description: String { "\(start)..<\(end)" }
}
