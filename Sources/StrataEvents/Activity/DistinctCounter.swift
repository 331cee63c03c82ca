/// Counts distinct strings: exactly while there are few (a set), then with
/// a HyperLogLog sketch that has seen every element from the start, so the
/// switch loses nothing.
public struct DistinctCounter: Sendable {
    /// Up to this many distinct values the count is exact (10,000 users fit
    /// in well under a megabyte; above it the sketch's 64 KiB is cheaper).
    public static let exactLimit = 10_000

    private var exact: Set<String>? = []
    private var sketch = HyperLogLog()

    public init() {}

    public mutating func add(_ s: String) {
        sketch.add(hash: StringHash.hash(s))
        if exact != nil {
            exact!.insert(s)
            if exact!.count > Self.exactLimit { exact = nil }
        }
    }

    public var isExact: Bool { exact != nil }

    public var count: Int {
        if let exact { return exact.count }
        return Int(sketch.estimate.rounded())
    }
}
