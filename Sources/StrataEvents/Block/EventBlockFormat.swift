/// Names and constants of the event block file (docs/format/events.md, "Blocks").
public enum EventBlockFormat {
    public static let magic: [UInt8] = Array("SEVB".utf8)
    public static let footerMagic: [UInt8] = Array("SEVF".utf8)
    public static let version: UInt8 = 1
    public static let headerSize = 8
    /// 5 section offsets, CRC, magic.
    public static let footerSize = 5 * 8 + 4 + 4

    /// Events per page. A page is the unit of decompression: a result row
    /// costs decoding its page (about 40 KB of text for typical audit
    /// events, tens of microseconds), and a page's LZ4 window sees enough
    /// repetition (the same attribute keys, description templates) to
    /// compress well.
    public static let pageSize = 1024

    /// Terms per front-coded group of the term dictionary: a lookup
    /// binary-searches the group heads and scans at most this many terms.
    public static let termGroupSize = 32

    /// LZ4HC level for page text: decoding speed is the same at every
    /// level; level 9 gave 12 % smaller text than the fast mode on the
    /// audit workload for a block write that stays well under a second.
    public static let textCompressionLevel = 9

    public static var header: [UInt8] { magic + [version, 0, 0, 0] }

    public static let blocksDirectory = "blocks"
    public static let quarantineDirectory = "quarantine"

    public enum Flag {
        /// Events carry the hash chain; the chain section holds anchors.
        public static let chained: UInt64 = 1
        /// Text tokens are indexed (otherwise only field terms).
        public static let textIndexed: UInt64 = 2
    }
}
