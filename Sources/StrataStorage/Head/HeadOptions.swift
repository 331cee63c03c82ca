/// Tuning of the in-memory head. Defaults follow Prometheus, whose values
/// were chosen by measurement: 120 samples per chunk is where Gorilla's
/// compression levels off (Prometheus PR #9268 discussion), and 2 h blocks.
public struct HeadOptions: Sendable {
    /// Time span of one block; head chunks never cross a multiple of it.
    public var chunkRange: Int64 = 2 * 3600 * 1000
    /// An open chunk is cut after this many samples.
    public var samplesPerChunk: Int = 120
    /// Number of lock stripes of the series map (a power of two).
    public var stripes: Int = 1024
    public var labelLimits: LabelLimits = .default
    /// Refuse to create series beyond this many (0 = no limit).
    public var maxSeries: Int = 0

    public init() {}
}
