/// Segment naming and framing constants. Format: docs/format/wal.md.
public enum WALSegment {
    public static let magic: [UInt8] = Array("SWAL".utf8)
    public static let version: UInt8 = 1
    public static let headerSize = 8
    public static var header: [UInt8] { magic + [version, 0, 0, 0] }

    /// kind u8 + len u32 + crc u32
    public static let fragmentHeaderSize = 9
    /// Largest fragment payload; larger records are split.
    public static let maxFragment = 1 << 20

    public enum Kind: UInt8 {
        case full = 1, first = 2, middle = 3, last = 4
    }

    public static func name(_ index: Int) -> String {
        let s = String(index)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }

    /// Parses an 8-digit segment name; nil for anything else.
    public static func index(of name: String) -> Int? {
        guard name.utf8.count == 8, name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(name)
    }

    public static func checkpointName(_ index: Int) -> String { "checkpoint." + name(index) }

    public static func checkpointIndex(of name: String) -> Int? {
        guard name.hasPrefix("checkpoint."), !name.hasSuffix(".tmp") else { return nil }
        return index(of: String(name.dropFirst("checkpoint.".count)))
    }
}
