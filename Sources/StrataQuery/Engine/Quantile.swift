/// φ-quantiles over plain values (`quantile`, `quantile_over_time`), as
/// Prometheus' `quantile`: linear interpolation between the two closest
/// ranks, −Inf below 0 and +Inf above 1.
enum Quantile {
    /// Sorts `values` in place (NaNs first, as Prometheus' `vectorByValueHeap`).
    static func quantile(_ q: Double, _ values: inout [Double]) -> Double {
        if values.isEmpty { return .nan }
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        values.sort { a, b in a.isNaN ? !b.isNaN : (b.isNaN ? false : a < b) }
        let n = Double(values.count)
        let rank = q * (n - 1)
        let lowerIndex = Swift.max(0, rank.rounded(.down))
        let upperIndex = Swift.min(n - 1, lowerIndex + 1)
        let weight = rank - rank.rounded(.down)
        return values[Int(lowerIndex)] * (1 - weight) + values[Int(upperIndex)] * weight
    }
}
