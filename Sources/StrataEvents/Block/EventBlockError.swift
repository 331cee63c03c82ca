import StrataCodec
import StrataStorage

/// Why an event block cannot be read. Offsets are within the block file.
public enum EventBlockError: Error, Sendable, Equatable, CustomStringConvertible {
    case corrupt(offset: Int, what: String)
    case checksum(offset: Int, section: String)
    case codec(offset: Int, CodecError)
    case io(IOError)

    public var description: String {
        switch self {
        case .corrupt(let o, let w): return "corrupt \(w) at byte \(o)"
        case .checksum(let o, let s): return "checksum mismatch in \(s) at byte \(o)"
        case .codec(let o, let e): return "column at byte \(o): \(e)"
        case .io(let e): return "\(e)"
        }
    }
}
