/// Kahan–Babuška–Neumaier compensated summation, as Prometheus'
/// `kahanSumInc`: `sum_over_time`, `avg_over_time`, `stddev_over_time` and
/// `linearRegression` use it, so results match to the last bit.
enum KahanSum {
    @inline(__always)
    static func add(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        // Neumaier: compensate with whichever operand lost digits.
        if sum.magnitude >= inc.magnitude {
            c += (sum - t) + inc
        } else {
            c += (inc - t) + sum
        }
        return (t, c)
    }
}
