/// Keeps the ingest connections within `maxLeadRounds` of each other in
/// data time.
///
/// Each connection sends its own series in order, so no series is ever out
/// of order; but a server also refuses samples far behind its newest one
/// (Prometheus' head takes nothing older than its max time minus half a
/// block, i.e. 1 h, and compacts away what is older than that). If one
/// connection raced hours ahead, the others' samples would be refused. So
/// a connection may send a request starting at round f only once every
/// other connection has sent everything before round f − maxLeadRounds.
///
/// `progress[c]` is the first round of c's next unsent request (everything
/// of c before it is sent); `Int.max` once c is done. The connection with
/// the smallest progress never waits, so the pacer cannot deadlock.
public actor IngestPacer {
    private var progress: [Int]
    private let maxLeadRounds: Int
    private var waiters: [(connection: Int, round: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// `firstRounds[c]` is the first round of connection c's first request
    /// (`Int.max` for a connection with nothing to send).
    public init(firstRounds: [Int], maxLeadRounds: Int) {
        precondition(maxLeadRounds >= 0)
        progress = firstRounds
        self.maxLeadRounds = maxLeadRounds
    }

    /// Suspends until connection `c` may send a request starting at `round`.
    public func waitForTurn(connection c: Int, round: Int) async {
        if mayProceed(c, round) { return }
        await withCheckedContinuation { cont in waiters.append((c, round, cont)) }
    }

    /// Connection `c` has sent everything before `round` (`Int.max`: all).
    public func advance(connection c: Int, to round: Int) {
        progress[c] = max(progress[c], round)
        var still: [(connection: Int, round: Int, continuation: CheckedContinuation<Void, Never>)] = []
        for w in waiters {
            if mayProceed(w.connection, w.round) { w.continuation.resume() } else { still.append(w) }
        }
        waiters = still
    }

    /// Requests parked until the others catch up.
    public var waiting: Int { waiters.count }

    private func mayProceed(_ c: Int, _ round: Int) -> Bool {
        let need = round - maxLeadRounds
        for (o, p) in progress.enumerated() where o != c && p < need { return false }
        return true
    }
}
