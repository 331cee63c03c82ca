/// Turns one session id's beacons into sessions (docs/events.md, "Sessions"):
///
/// - a session begins with the first beacon of any kind;
/// - it ends after 30 minutes without a beacon (idle: a gap strictly longer
///   than `idleTimeout` starts a new session), at a `session_end` beacon, or
///   when a `session_start` beacon begins a new one;
/// - its duration runs from its first to its last beacon (a session of one
///   beacon lasts 0 s; the idle half hour is not counted).
///
/// A pure value: feed beacons in time order, read `sessions`.
public struct Sessionizer: Sendable {
    public static let idleTimeout: Int64 = 30 * 60_000

    public struct Session: Sendable, Equatable {
        public var start: Int64
        public var end: Int64
        public var beacons: Int
        /// Closed by a `session_end` beacon rather than by idleness.
        public var ended: Bool

        public var duration: Int64 { end - start }
    }

    public private(set) var sessions: [Session] = []
    private var open = false
    public let idleTimeout: Int64

    public init(idleTimeout: Int64 = Sessionizer.idleTimeout) { self.idleTimeout = idleTimeout }

    /// Adds a beacon; `t` must not be before the previous one.
    public mutating func add(_ t: Int64, _ kind: EventType) {
        if open, let last = sessions.last {
            precondition(t >= last.end, "beacons must arrive in time order")
            if kind == .sessionStart || t - last.end > idleTimeout { open = false }
        }
        if !open {
            sessions.append(Session(start: t, end: t, beacons: 0, ended: false))
            open = true
        }
        sessions[sessions.count - 1].end = t
        sessions[sessions.count - 1].beacons += 1
        if kind == .sessionEnd {
            sessions[sessions.count - 1].ended = true
            open = false
        }
    }

    /// Sessions of beacons given in any order (sorted by time, stable for equal times).
    public static func sessions(_ beacons: [(t: Int64, kind: EventType)], idleTimeout: Int64 = Sessionizer.idleTimeout) -> [Session] {
        var s = Sessionizer(idleTimeout: idleTimeout)
        for b in beacons.enumerated().sorted(by: { ($0.element.t, $0.offset) < ($1.element.t, $1.offset) }) {
            s.add(b.element.t, b.element.kind)
        }
        return s.sessions
    }
}
