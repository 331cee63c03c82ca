/// One `name="value"` pair of a series' identity.
///
/// Equality, hashing and order are all defined on the UTF-8 bytes. Swift's
/// `String ==` compares by Unicode canonical equivalence (so `"é"` NFC equals
/// `"e\u{301}"` NFD), but Prometheus, the WAL, the block index and
/// `Labels.stableHash` all treat label values as bytes. Using `String ==` here
/// made two byte-distinct series collapse into one in a `Dictionary` while
/// `<` (byte order) still told them apart, which breaks Comparable's contract.
public struct Label: Hashable, Sendable, Comparable {
    public var name: String
    public var value: String

    @inlinable
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    @inlinable
    public static func == (a: Label, b: Label) -> Bool {
        a.name.utf8Equals(b.name) && a.value.utf8Equals(b.value)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        name.hashUTF8(into: &hasher)
        value.hashUTF8(into: &hasher)
    }

    @inlinable
    public static func < (a: Label, b: Label) -> Bool {
        !a.name.utf8Equals(b.name) ? a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
                                   : a.value.utf8.lexicographicallyPrecedes(b.value.utf8)
    }
}

/// The metric name is stored as the label `__name__`, as in Prometheus.
public let metricNameLabel = "__name__"

extension String {
    /// Byte-wise equality of the UTF-8 encodings (not canonical equivalence).
    @inlinable
    public func utf8Equals(_ other: String) -> Bool {
        let a = utf8, b = other.utf8
        guard a.count == b.count else { return false }
        // Native strings are contiguous; the fallback covers bridged ones.
        if let r = a.withContiguousStorageIfAvailable({ pa in
            b.withContiguousStorageIfAvailable { pb in
                pa.count == 0 || bytesEqual(pa.baseAddress!, pb.baseAddress!, pa.count)
            }
        }), let eq = r {
            return eq
        }
        return a.elementsEqual(b)
    }

    /// Feeds the UTF-8 bytes (and their count, so that adjacent fields cannot
    /// run into each other) to `hasher`.
    @inlinable
    public func hashUTF8(into hasher: inout Hasher) {
        let u = utf8
        hasher.combine(u.count)
        if u.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for b in u { hasher.combine(b) }
        }
    }
}

@inlinable @inline(__always)
internal func bytesEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    // 8 bytes at a time: label values are short, this avoids a libc call.
    while i + 8 <= n {
        let x = UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
        let y = UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
        if x != y { return false }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
