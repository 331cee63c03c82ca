/// The `type` of an event: a small code, stored in the block's key column
/// together with the severity (docs/format/events.md, "Key column").
///
/// Codes are part of the on-disk format and of the hash chain's canonical
/// encoding: existing codes never change meaning. Audit events use 0–3; the
/// activity store (issue #10, part 4) uses 16–20 for its beacon kinds.
public struct EventType: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: UInt8

    public init?(rawValue: UInt8) {
        guard rawValue < EventType.limit, EventType.names[Int(rawValue)] != nil else { return nil }
        self.rawValue = rawValue
    }

    init(unchecked rawValue: UInt8) { self.rawValue = rawValue }

    /// Codes are below 64: with the 2-bit severity they fit one key byte.
    public static let limit: UInt8 = 64

    public static let authentication = EventType(unchecked: 0)
    public static let dataModification = EventType(unchecked: 1)
    public static let security = EventType(unchecked: 2)
    public static let business = EventType(unchecked: 3)

    public static let pageView = EventType(unchecked: 16)
    public static let action = EventType(unchecked: 17)
    public static let sessionStart = EventType(unchecked: 18)
    public static let sessionHeartbeat = EventType(unchecked: 19)
    public static let sessionEnd = EventType(unchecked: 20)

    /// The types `POST /api/v1/audit/events` accepts.
    public static let audit: [EventType] = [.authentication, .dataModification, .security, .business]
    /// Beacon kinds of `POST /api/v1/activity`.
    public static let activity: [EventType] = [.pageView, .action, .sessionStart, .sessionHeartbeat, .sessionEnd]

    static let names: [String?] = {
        var n = [String?](repeating: nil, count: Int(limit))
        n[0] = "authentication"
        n[1] = "data_modification"
        n[2] = "security"
        n[3] = "business"
        n[16] = "page_view"
        n[17] = "action"
        n[18] = "session_start"
        n[19] = "session_heartbeat"
        n[20] = "session_end"
        return n
    }()

    /// The API name (`data_modification`).
    public var name: String { EventType.names[Int(rawValue)] ?? "type_\(rawValue)" }

    public init?(name: String) {
        guard let i = EventType.names.firstIndex(where: { $0 == name }) else { return nil }
        rawValue = UInt8(i)
    }

    public var description: String { name }

    public static func < (a: EventType, b: EventType) -> Bool { a.rawValue < b.rawValue }
}

/// How serious an event is. Two bits in the key byte.
public enum Severity: UInt8, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case info = 0
    case warning = 1
    case error = 2
    case critical = 3

    public var name: String {
        switch self {
        case .info: return "info"
        case .warning: return "warning"
        case .error: return "error"
        case .critical: return "critical"
        }
    }

    public init?(name: String) {
        switch name {
        case "info": self = .info
        case "warning": self = .warning
        case "error": self = .error
        case "critical": self = .critical
        default: return nil
        }
    }

    public var description: String { name }

    public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }
}

/// Type and severity packed in one byte, `type << 2 | severity`: the only
/// per-event column a block keeps decoded in memory, for filters and facets.
public struct EventKey: Hashable, Sendable {
    public var rawValue: UInt8

    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    @inlinable public init(type: EventType, severity: Severity) {
        rawValue = type.rawValue << 2 | severity.rawValue
    }

    @inlinable public var typeCode: UInt8 { rawValue >> 2 }
    @inlinable public var severityCode: UInt8 { rawValue & 3 }
    public var type: EventType { EventType(unchecked: typeCode) }
    public var severity: Severity { Severity(rawValue: severityCode)! }
}
