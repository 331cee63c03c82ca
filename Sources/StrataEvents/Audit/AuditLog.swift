import Logging
import StrataStorage

/// Strata's own security-relevant actions, recorded in the audit log with
/// who, from where, what and the result (docs/events.md, "Recorded by Strata").
///
/// `record` waits until the event is durable (per the WAL fsync mode)
/// before returning, so an action that was acknowledged has been audited.
/// A failure to record is logged and counted, never thrown: auditing must
/// not turn a completed action into an error.
public struct AuditLog: Sendable {
    public let store: EventStore
    let logger: Logger

    public init(store: EventStore, logger: Logger = Logger(label: "strata.audit")) {
        self.store = store
        self.logger = logger
    }

    public enum Outcome: Sendable, Equatable {
        case success
        case failure(String)
        case denied

        var name: String {
            switch self {
            case .success: return "success"
            case .failure: return "failure"
            case .denied: return "denied"
            }
        }

        var severity: Severity {
            switch self {
            case .success: return .info
            case .failure: return .error
            case .denied: return .warning
            }
        }
    }

    /// Records one action. `severity` defaults from the outcome (info,
    /// error, warning for denied). Returns the event's id, or nil if it could
    /// not be recorded.
    @discardableResult
    public func record(
        type: EventType, action: String, outcome: Outcome, user: String? = nil, source: String? = nil,
        description: String, severity: Severity? = nil, attributes: [String: String] = [:],
        timestamp: Int64 = nowMillis()
    ) async -> UInt64? {
        var attrs = attributes.map { EventAttribute($0.key, $0.value) }
        attrs.append(EventAttribute("result", outcome.name))
        if case .failure(let why) = outcome { attrs.append(EventAttribute("error", why.truncatedUTF8(EventLimits.default.maxAttributeValue))) }
        let d = EventDraft(timestamp: timestamp, type: type, severity: severity ?? outcome.severity,
                           user: user ?? "", source: source ?? "", action: action,
                           description: description.truncatedUTF8(EventLimits.default.maxDescription),
                           attributes: attrs)
        do {
            let r = try await store.append([d])
            return r.firstID
        } catch {
            logger.error("could not record audit event", metadata: ["action": "\(action)", "error": "\(error)"])
            return nil
        }
    }
}
