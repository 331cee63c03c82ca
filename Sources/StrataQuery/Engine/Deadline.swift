/// The point in time after which evaluation gives up with Prometheus'
/// "query timed out in expression evaluation".
///
/// Checked between series and between steps of the heavier loops, never per
/// sample: reading the clock costs tens of nanoseconds.
struct Deadline {
    let instant: ContinuousClock.Instant

    init(after timeout: Duration) {
        instant = ContinuousClock.now.advanced(by: timeout)
    }

    @inline(__always)
    func check() throws(QueryError) {
        if ContinuousClock.now >= instant {
            throw QueryError(.timeout, "query timed out in expression evaluation")
        }
    }
}
