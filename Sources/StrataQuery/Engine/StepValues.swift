/// The evaluation times of one evaluation: `start + k·step` for k in 0..<count.
///
/// Range queries evaluate every node over all steps at once (Prometheus 2.42
/// does it step by step inside `rangeEval`; the results are the same). An
/// instant query is a range of one step. A selector with `@` gets a range
/// with step 0: every step reads the same instant.
struct StepRange: Sendable, Equatable {
    var start: Int64
    var step: Int64
    var count: Int

    @inline(__always) func time(_ k: Int) -> Int64 { start &+ Int64(k) &* step }
    var end: Int64 { time(Swift.max(count - 1, 0)) }
}

/// Marks "no value at this step" inside per-step value arrays.
///
/// It is the Prometheus staleness marker's bit pattern, a signalling NaN:
/// arithmetic never produces it (operations on NaNs yield quiet NaNs), and
/// every NaN read from storage that is not a staleness marker is replaced by
/// the canonical quiet NaN when loaded (output prints every NaN as "NaN",
/// so the payload is not observable). A marker found by a lookback means
/// "no value", which is exactly what it encodes here.
enum StepValue {
    static let absentBits: UInt64 = 0x7ff0_0000_0000_0002
    static let absent = Double(bitPattern: absentBits)

    @inline(__always) static func isAbsent(_ v: Double) -> Bool { v.bitPattern == absentBits }
    @inline(__always) static func isPresent(_ v: Double) -> Bool { v.bitPattern != absentBits }

    /// A stored value as the evaluator may hold it: NaN payloads dropped.
    @inline(__always) static func canonical(_ v: Double) -> Double { v.isNaN ? .nan : v }
}

/// One series of an instant vector evaluated over a step range: a value (or
/// `StepValue.absent`) per step.
struct StepSeries {
    var labels: Labels
    var values: [Double]

    var hasValue: Bool { values.contains { StepValue.isPresent($0) } }
    var pointCount: Int {
        var n = 0
        for v in values where StepValue.isPresent(v) { n += 1 }
        return n
    }
}

/// Raw samples of one series in time order (a matrix element).
struct RawSeries {
    var labels: Labels
    var timestamps: [Int64]
    var values: [Double]
}

/// What a node evaluates to, over the step range of its evaluation.
enum EvalValue {
    /// One value per step (scalars always have a value).
    case scalar([Double])
    case vector([StepSeries])
    case string(String)
}
