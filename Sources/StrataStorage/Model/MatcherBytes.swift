// Byte-level string tests for the matcher fast paths. Label values compare as
// UTF-8 bytes (as in Prometheus); Swift's `String` operations would compare
// by Unicode canonical equivalence and by grapheme clusters instead.

extension String {
    @inlinable
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = utf8.withContiguousStorageIfAvailable(body) { return r }
        var copy = self
        return copy.withUTF8(body)
    }

    func utf8HasPrefix(_ p: String) -> Bool {
        let n = p.utf8.count
        guard utf8.count >= n else { return false }
        return withUTF8Bytes { s in
            p.withUTF8Bytes { pb in n == 0 || bytesEqual(s.baseAddress!, pb.baseAddress!, n) }
        }
    }

    func utf8HasSuffix(_ p: String) -> Bool {
        let n = p.utf8.count
        let m = utf8.count
        guard m >= n else { return false }
        return withUTF8Bytes { s in
            p.withUTF8Bytes { pb in n == 0 || bytesEqual(s.baseAddress! + (m - n), pb.baseAddress!, n) }
        }
    }

    /// Substring search on bytes: scan for the first byte, then compare.
    /// Label values are short (≤ 4 KiB by default), so this beats building
    /// a skip table.
    func utf8Contains(_ p: String) -> Bool {
        let n = p.utf8.count
        let m = utf8.count
        if n == 0 { return true }
        guard m >= n else { return false }
        return withUTF8Bytes { s in
            p.withUTF8Bytes { pb in
                let first = pb[0]
                let base = s.baseAddress!, pbase = pb.baseAddress!
                var i = 0
                let last = m - n
                while i <= last {
                    if base[i] == first && bytesEqual(base + i, pbase, n) { return true }
                    i += 1
                }
                return false
            }
        }
    }
}
