import Testing
@testable import StrataServer

@Suite struct ExclusiveGateTests {
    @Test func oneAtATimeAndFreeAgainAfterLeaving() {
        let gate = ExclusiveGate()
        #expect(gate.tryEnter())
        #expect(!gate.tryEnter())
        gate.leave()
        #expect(gate.tryEnter())
        gate.leave()
    }
}
