/// A 1-based line and column (in bytes) in a text request body.
///
/// Parsers track only byte offsets while they run and convert on error, so
/// counting lines costs nothing on the happy path.
public struct TextPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    /// The position of byte `offset` in `base`.
    init(of offset: Int, in base: UnsafeRawBufferPointer) {
        var line = 1
        var lineStart = 0
        let end = min(offset, base.count)
        var i = 0
        while i < end {
            if base[i] == UInt8(ascii: "\n") {
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        self.line = line
        self.column = offset - lineStart + 1
    }

    public var description: String { "\(line):\(column)" }
}
