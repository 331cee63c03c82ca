import StrataTestSupport

/// The workloads' SplitMix64 generator (`WorkloadRandom`), so that
/// random-input tests are reproducible from their seed, with byte helpers
/// for the parsers' noise tests.
typealias SeededRandom = WorkloadRandom

extension WorkloadRandom {
    mutating func bytes(_ n: Int) -> [UInt8] {
        (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Bytes drawn from `alphabet` (to reach deeper into text parsers than uniform noise).
    mutating func bytes(_ n: Int, from alphabet: [UInt8]) -> [UInt8] {
        (0..<n).map { _ in alphabet.randomElement(using: &self)! }
    }
}
