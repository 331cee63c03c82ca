/// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a tiny seeded generator so that random-input
/// tests are reproducible. (PropertyBased is not a dependency of this test
/// target.)
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ n: Int) -> [UInt8] {
        (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) }
    }

    /// Bytes drawn from `alphabet` (to reach deeper into text parsers than uniform noise).
    mutating func bytes(_ n: Int, from alphabet: [UInt8]) -> [UInt8] {
        (0..<n).map { _ in alphabet.randomElement(using: &self)! }
    }
}
