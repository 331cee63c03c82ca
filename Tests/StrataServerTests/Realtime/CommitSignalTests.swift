import Synchronization
import Testing
@testable import StrataServer

/// The evaluator's wake-up: a wake or commit that found nobody parked makes
/// exactly one later `wait` return at once; after that the evaluator parks
/// again (a "sticky" wake would keep an idle server busy).
@Suite struct CommitSignalTests {
    @Test func aWakeWithNobodyParkedIsConsumedOnce() async throws {
        let signal = CommitSignal()
        signal.wake()
        // The pending wake returns at once, with no commit.
        #expect(await signal.wait(after: 0) == 0)
        // The next wait parks until a commit.
        let waiter = Task { await signal.wait(after: 0) }
        try await waitUntil(timeout: .seconds(120), "the second wait to park") { signal.isParked }
        signal.signal(oldestTimestamp: 1_000)
        #expect(await waiter.value == 1)
        #expect(signal.takeOldestTimestamp() == 1_000)
        #expect(signal.takeOldestTimestamp() == nil)
    }

    @Test func aCommitBeforeTheWaitIsNotLost() async throws {
        let signal = CommitSignal()
        let seen = signal.current
        signal.signal()
        #expect(await signal.wait(after: seen) == 1)
        // Caught up: the evaluator parks again, and a wake releases it.
        let waiter = Task { await signal.wait(after: 1) }
        try await waitUntil(timeout: .seconds(120), "the wait to park") { signal.isParked }
        signal.wake()
        #expect(await waiter.value == 1)
        #expect(!signal.isParked)
    }
}
