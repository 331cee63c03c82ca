/// The `@` modifier of a selector or subquery.
public enum AtModifier: Sendable, Hashable {
    /// `@ <seconds>`, stored as milliseconds (rounded half away from zero,
    /// as Prometheus' `timestamp.FromFloatSeconds`).
    case timestamp(Int64)
    /// `@ start()`: the start of the range query (the evaluation time of an instant query).
    case start
    /// `@ end()`: the end of the range query (the evaluation time of an instant query).
    case end
}
