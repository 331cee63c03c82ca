// Invariant checks shared by the fuzz targets.
import StrataIngest

/// A failed invariant is a crash, so libFuzzer reports it and saves the input.
@inlinable @inline(__always)
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant: \(message())") }
}

/// Series point at contiguous, in-bounds slices of the sample arrays.
public func checkShape(_ b: IngestBatch) {
    require(b.timestamps.count == b.values.count, "timestamps and values differ in count")
    var next = 0
    for s in b.series {
        require(s.samples.lowerBound == next && s.samples.upperBound <= b.timestamps.count, "series samples \(s.samples) out of place")
        next = s.samples.upperBound
    }
    require(next == b.timestamps.count, "samples not owned by any series")
}
