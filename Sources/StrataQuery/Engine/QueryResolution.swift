/// Which data a range query reads (issue #5, the `resolution` parameter).
public enum QueryResolution: Sendable, Equatable {
    /// The coarsest rollup window that is no longer than the step, wherever
    /// rollups cover a step's window and either the windows tile it exactly
    /// (step, start and range multiples of the window) or raw data no longer
    /// covers it; raw data elsewhere. Without rollups, raw data.
    case auto
    /// Raw samples only (Prometheus' semantics exactly).
    case raw
    /// That rollup window (ms) wherever it has data; steps it does not cover stay empty.
    case window(Int64)
}
