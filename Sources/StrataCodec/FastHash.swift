/// A fast, process-independent 64-bit hash of bytes, for hash tables keyed
/// by raw bytes (the remote-write series cache). Reads 8 bytes per step,
/// multiply-rotate mixing, MurmurHash3's 64-bit finaliser. Not
/// cryptographic; not a file-format checksum (that is CRC32C).
public enum FastHash {
    @inlinable @inline(__always)
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0x243F_6A88_85A3_08D3) -> UInt64 {
        var h = seed ^ (UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15)
        let n = bytes.count
        var i = 0
        while i + 8 <= n {
            let w = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h = (x << 29) | (x >> 35)
            i += 8
        }
        var last: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            last |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        let x = (h ^ last) &* 0x9E37_79B9_7F4A_7C15
        h = (x << 29) | (x >> 35)
        h ^= h >> 33
        h &*= 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h &*= 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }
}
