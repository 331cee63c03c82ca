/// Everything `Database.open` can be told.
public struct DatabaseOptions: Sendable {
    public var head = HeadOptions()
    public var wal = WALOptions()
    /// Raw data older than this (relative to the newest data) is deleted (issue #5). 30 days.
    public var retention: Int64 = 30 * 24 * 3600 * 1000
    /// Optional size bound on all blocks (raw and rollups), in bytes: raw
    /// blocks go first, oldest first (after their rollups were made), then
    /// 5 m and 1 h rollup blocks (`RetentionPolicy`); never the head. 0: none.
    public var retentionBytes: Int64 = 0
    /// Compaction levels: block ranges from the head's range upwards
    /// (2 h → 12 h → 3 d). Levels above a tenth of `retention` are not used.
    public var compactionRanges: [Int64] = [2 * 3_600_000, 12 * 3_600_000, 3 * 86_400_000]
    public var rollups = RollupOptions()

    public init() {}

    /// Length of a freshly cut block (the head's chunk range).
    public var blockRange: Int64 { head.chunkRange }

    /// No block spans more than this: a tenth of the retention (and at least one block range).
    public var maxBlockSpan: Int64 { max(blockRange, retention / 10) }
}

/// Rollups (downsampled copies of raw blocks, issue #5).
public struct RollupOptions: Sendable {
    public struct Resolution: Sendable, Equatable {
        /// Window length in ms (`meta.resolution`).
        public var window: Int64
        /// How long rollup blocks of this resolution are kept.
        public var retention: Int64
        /// Overrides `RollupOptions.after` for this resolution.
        public var after: Int64?

        public init(window: Int64, retention: Int64, after: Int64? = nil) {
            self.window = window
            self.retention = retention
            self.after = after
        }
    }

    /// Defaults: 5-minute windows kept 180 days, 1-hour windows kept 2 years.
    public var resolutions: [Resolution] = [
        Resolution(window: 300_000, retention: 180 * 86_400_000),
        Resolution(window: 3_600_000, retention: 2 * 365 * 86_400_000),
    ]
    /// A raw block gets rollups once its end is at least this far behind
    /// the newest data. 0: as soon as maintenance sees it (the 2 h blocks
    /// cut from the head get rollups, recomputed when they are merged; a
    /// rollup pass costs one logarithm per sample).
    public var after: Int64 = 0

    public init() {}

    public var windows: [Int64] { resolutions.map(\.window).sorted() }

    /// The server's default delay for 5-minute rollups: a raw block gets
    /// them when it is within one maximum block span of leaving raw
    /// retention (27 days for 30-day retention with 3-day blocks). While a
    /// block is younger, its raw samples answer 5-minute steps exactly (at
    /// 20 samples per window), so 5-minute rollups would only duplicate it:
    /// they cost a third of the raw bytes (docs/retention-and-rollups.md).
    /// Rollups run before retention in every maintenance pass, so no raw
    /// block leaves retention without them.
    public static func defaultFiveMinuteDelay(retention: Int64, maxBlockSpan: Int64) -> Int64 {
        max(0, retention - maxBlockSpan)
    }

    /// Per-resolution delays that override `after`.
    public var afterByWindow: [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for r in resolutions { if let a = r.after { out[r.window] = a } }
        return out
    }
}
