/// One attribute of an event: a key and its text value.
public struct EventAttribute: Hashable, Sendable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

/// An event before the store has assigned its id.
public struct EventDraft: Hashable, Sendable {
    /// Milliseconds since the Unix epoch.
    public var timestamp: Int64
    public var type: EventType
    public var severity: Severity
    /// Who: a user id (empty when unknown).
    public var user: String
    /// From where: an IP address or host (empty when unknown). Activity beacons keep the session id here.
    public var source: String
    /// What: a short verb (`login`, `delete_series`); activity beacons keep the path or action type here.
    public var action: String
    /// Free text; activity beacons keep the page title or action label here.
    public var description: String
    /// Sorted by key, keys unique (`EventDraft.normalise` sorts them).
    public var attributes: [EventAttribute]

    public init(
        timestamp: Int64, type: EventType, severity: Severity = .info, user: String = "", source: String = "",
        action: String = "", description: String = "", attributes: [EventAttribute] = []
    ) {
        self.timestamp = timestamp
        self.type = type
        self.severity = severity
        self.user = user
        self.source = source
        self.action = action
        self.description = description
        self.attributes = attributes.sorted { $0.key < $1.key }
    }

    public var key: EventKey { EventKey(type: type, severity: severity) }

    /// Checks the limits; attribute keys must be unique.
    public func validate(_ limits: EventLimits = .default) throws(EventValidationError) {
        func check(_ field: String, _ s: String, _ max: Int) throws(EventValidationError) {
            if s.utf8.count > max { throw .tooLong(field: field, limit: max) }
        }
        try check("user", user, limits.maxField)
        try check("source", source, limits.maxField)
        try check("action", action, limits.maxField)
        try check("description", description, limits.maxDescription)
        if attributes.count > limits.maxAttributes { throw .tooManyAttributes(limit: limits.maxAttributes) }
        var prev: String?
        for a in attributes {
            if a.key.isEmpty { throw .emptyAttributeKey }
            try check("attribute key", a.key, limits.maxField)
            try check("attribute \(a.key)", a.value, limits.maxAttributeValue)
            if let prev, prev >= a.key {
                throw prev == a.key ? .duplicateAttribute(a.key) : .unsortedAttributes
            }
            prev = a.key
        }
    }
}

/// A stored event.
public struct Event: Hashable, Sendable {
    /// Assigned by the store: 1, 2, 3… in the order events entered the log (the hash chain's order).
    public var id: UInt64
    public var timestamp: Int64
    public var type: EventType
    public var severity: Severity
    public var user: String
    public var source: String
    public var action: String
    public var description: String
    public var attributes: [EventAttribute]

    public init(id: UInt64, _ d: EventDraft) {
        self.id = id
        timestamp = d.timestamp
        type = d.type
        severity = d.severity
        user = d.user
        source = d.source
        action = d.action
        description = d.description
        attributes = d.attributes
    }

    public var draft: EventDraft {
        var d = EventDraft(timestamp: timestamp, type: type, severity: severity, user: user, source: source,
                           action: action, description: description)
        d.attributes = attributes
        return d
    }

    public var key: EventKey { EventKey(type: type, severity: severity) }
}

/// Size limits per event, checked at ingestion.
public struct EventLimits: Sendable, Equatable {
    /// user, source, action, attribute keys.
    public var maxField = 256
    public var maxDescription = 8192
    public var maxAttributes = 64
    public var maxAttributeValue = 1024

    public init() {}

    public static let `default` = EventLimits()
}

public enum EventValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLong(field: String, limit: Int)
    case tooManyAttributes(limit: Int)
    case emptyAttributeKey
    case duplicateAttribute(String)
    case unsortedAttributes

    public var description: String {
        switch self {
        case .tooLong(let f, let l): return "\(f) is longer than \(l) bytes"
        case .tooManyAttributes(let l): return "more than \(l) attributes"
        case .emptyAttributeKey: return "attribute with an empty key"
        case .duplicateAttribute(let k): return "attribute \"\(k)\" given twice"
        case .unsortedAttributes: return "attributes are not sorted by key"
        }
    }
}
