/// Everything `Database.open` can be told.
public struct DatabaseOptions: Sendable {
    public var head = HeadOptions()
    public var wal = WALOptions()
    /// Raw data older than this (relative to the newest block) is deleted (issue #5). 30 days.
    public var retention: Int64 = 30 * 24 * 3600 * 1000

    public init() {}

    /// Length of a freshly cut block (the head's chunk range).
    public var blockRange: Int64 { head.chunkRange }
}
