/// Why an event batch body was refused, and where (byte offset and 1-based line:column).
public struct EventJSONError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int
    /// Index of the event in the batch, when the problem is in one.
    public var event: Int?

    public var description: String {
        let at = "\(line):\(column)"
        if let event { return "\(at) (event \(event)): \(message)" }
        return "\(at): \(message)"
    }
}
