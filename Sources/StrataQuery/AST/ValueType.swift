/// The static type of a PromQL expression, as Prometheus' `ValueType`.
public enum ValueType: String, Sendable, Hashable {
    case none
    case scalar
    case vector
    case matrix
    case string

    /// The name used in user-facing type errors ("instant vector", "range vector"),
    /// as Prometheus' `DocumentedType`.
    public var documentedName: String {
        switch self {
        case .vector: return "instant vector"
        case .matrix: return "range vector"
        default: return rawValue
        }
    }
}
