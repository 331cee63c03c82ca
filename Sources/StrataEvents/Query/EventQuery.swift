/// A search over the event store: a time window, filters, and a page.
public struct EventQuery: Sendable, Equatable {
    /// Inclusive bounds, milliseconds.
    public var start: Int64
    public var end: Int64
    /// Empty: any type.
    public var types: Set<EventType> = []
    /// Empty: any severity.
    public var severities: Set<Severity> = []
    /// Exact user id, if given.
    public var user: String?
    public var text = TextQuery()
    /// Events per page.
    public var limit = 100
    /// Continue after this position (from a previous page's `nextCursor`).
    public var after: EventCursor.Position?

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    /// 64 bits: bit k set when type code k passes the filter.
    var typeMask: UInt64 {
        if types.isEmpty { return ~0 }
        var m: UInt64 = 0
        for t in types { m |= 1 << UInt64(t.rawValue) }
        return m
    }

    var severityMask: UInt8 {
        if severities.isEmpty { return 0xF }
        var m: UInt8 = 0
        for s in severities { m |= 1 << s.rawValue }
        return m
    }
}

/// One page of results, newest first.
public struct EventPage: Sendable {
    public var events: [Event]
    /// Set when more events match after the last one of this page.
    public var nextCursor: EventCursor.Position?
    /// Every event in the window matching all filters.
    public var total: Int
    /// Matches per type, counted with every filter but the type filter
    /// (so a UI can offer the other types with their counts).
    public var typeFacets: [EventType: Int]
    /// Matches per severity, counted with every filter but the severity filter.
    public var severityFacets: [Severity: Int]
}
