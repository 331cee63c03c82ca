import Testing

@testable import StrataBench

@Suite struct IngestPacerTests {
    @Test func aConnectionWithinTheLeadNeverWaits() async {
        let pacer = IngestPacer(firstRounds: [0, 0, 0], maxLeadRounds: 10)
        await pacer.waitForTurn(connection: 0, round: 10)
        await pacer.advance(connection: 1, to: 5)
        await pacer.advance(connection: 2, to: 7)
        await pacer.waitForTurn(connection: 0, round: 15)
        #expect(await pacer.waiting == 0)
    }

    @Test func aConnectionAheadWaitsForTheSlowest() async {
        let pacer = IngestPacer(firstRounds: [0, 0], maxLeadRounds: 2)
        let log = EventLog()
        let ahead = Task {
            await pacer.waitForTurn(connection: 0, round: 6)
            await log.add("0 sends round 6")
        }
        // Wait (without sleeping) until the request is parked in the pacer.
        while await pacer.waiting == 0 { await Task.yield() }
        await log.add("1 advances to 3")
        await pacer.advance(connection: 1, to: 3)
        #expect(await pacer.waiting == 1, "6 − 2 = 4 > 3: still too far ahead")
        await log.add("1 advances to 4")
        await pacer.advance(connection: 1, to: 4)
        await ahead.value
        #expect(await log.events == ["1 advances to 3", "1 advances to 4", "0 sends round 6"])
    }

    @Test func aFinishedConnectionReleasesEveryone() async {
        let pacer = IngestPacer(firstRounds: [0, 0], maxLeadRounds: 0)
        let t = Task { await pacer.waitForTurn(connection: 0, round: 1_000) }
        while await pacer.waiting == 0 { await Task.yield() }
        await pacer.advance(connection: 1, to: Int.max)
        await t.value
        #expect(await pacer.waiting == 0)
    }

    @Test func aConnectionWithNothingToSendNeverHoldsOthersBack() async {
        let pacer = IngestPacer(firstRounds: [0, Int.max], maxLeadRounds: 0)
        await pacer.waitForTurn(connection: 0, round: 500)
    }

    actor EventLog {
        var events: [String] = []
        func add(_ e: String) { events.append(e) }
    }
}
