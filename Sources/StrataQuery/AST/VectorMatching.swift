/// How the two sides of a vector/vector binary operation are matched.
public enum VectorMatchCardinality: String, Sendable, Hashable {
    case oneToOne = "one-to-one"
    case manyToOne = "many-to-one"
    case oneToMany = "one-to-many"
    case manyToMany = "many-to-many"
}

/// `on(...)`/`ignoring(...)` and `group_left(...)`/`group_right(...)` of a
/// binary expression, as Prometheus' `VectorMatching`.
public struct VectorMatching: Sendable, Hashable {
    public var card: VectorMatchCardinality
    /// `true` for `on(...)`, `false` for `ignoring(...)` (or no clause).
    public var on: Bool
    /// The labels listed in `on(...)`/`ignoring(...)`, in source order.
    public var matchingLabels: [String]
    /// The extra labels listed in `group_left(...)`/`group_right(...)`.
    public var include: [String]

    public init(card: VectorMatchCardinality = .oneToOne, on: Bool = false,
                matchingLabels: [String] = [], include: [String] = []) {
        self.card = card
        self.on = on
        self.matchingLabels = matchingLabels
        self.include = include
    }
}
