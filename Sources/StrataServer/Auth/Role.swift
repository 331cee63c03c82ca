/// What a credential may do. Each role includes the ones below it:
/// `read` queries, `write` also ingests, `admin` also runs admin endpoints
/// (flush, compact, targets, the audit log).
public enum Role: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case read = 1
    case write = 2
    case admin = 3

    public init?(name: String) {
        switch name {
        case "read": self = .read
        case "write": self = .write
        case "admin": self = .admin
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .read: return "read"
        case .write: return "write"
        case .admin: return "admin"
        }
    }

    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}
