/// A reusable iterator over one chunk's samples, of either encoding.
///
/// `reset` decodes the whole chunk into internal buffers whose capacity is
/// kept from one chunk to the next, so a query that walks thousands of
/// chunks allocates only while the buffers grow to the largest chunk.
/// Iteration and `seek` then run over plain arrays.
///
/// ```swift
/// var it = ChunkIterator()
/// for chunk in chunks {
///     try chunk.withUnsafeBytes { try it.reset(xor: $0) }
///     guard it.seek(to: mint) else { continue }
///     repeat { use(it.timestamp, it.value) } while it.next() && it.timestamp <= maxt
/// }
/// ```
public struct ChunkIterator: Sendable {
    /// Decoded timestamps of the current chunk.
    public private(set) var timestamps: [Int64] = []
    /// Decoded values of the current chunk.
    public private(set) var values: [Double] = []
    /// Index of the current sample; -1 before the first `next()`.
    @usableFromInline var index = -1

    public init() {}

    /// Samples in the current chunk.
    @inlinable public var count: Int { timestamps.count }

    /// Decodes an XOR chunk. On error the iterator is empty.
    public mutating func reset(xor bytes: UnsafeRawBufferPointer) throws(CodecError) {
        index = -1
        do {
            try XORChunk.decode(bytes, timestamps: &timestamps, values: &values)
        } catch {
            clear()
            throw error
        }
    }

    /// Decodes a timestamp column and a value column (possibly shared with
    /// other series). On error the iterator is empty.
    public mutating func reset(timestamps ts: UnsafeRawBufferPointer, values vs: UnsafeRawBufferPointer) throws(CodecError) {
        index = -1
        do {
            try TimestampColumn.decode(ts, into: &timestamps)
            try ValueColumn.decode(vs, into: &values)
        } catch {
            clear()
            throw error
        }
        if timestamps.count != values.count {
            let e = CodecError.countMismatch(expected: timestamps.count, actual: values.count)
            clear()
            throw e
        }
    }

    /// Decodes a self-contained `ColumnarChunk`.
    public mutating func reset(columnar bytes: UnsafeRawBufferPointer) throws(CodecError) {
        let parts: (timestamps: UnsafeRawBufferPointer, values: UnsafeRawBufferPointer)
        do {
            parts = try ColumnarChunk.columns(bytes)
        } catch {
            clear()
            throw error
        }
        try reset(timestamps: parts.timestamps, values: parts.values)
    }

    /// Decodes a chunk given its recorded encoding.
    public mutating func reset(_ encoding: ChunkEncoding, _ bytes: UnsafeRawBufferPointer) throws(CodecError) {
        switch encoding {
        case .xor: try reset(xor: bytes)
        case .columnar: try reset(columnar: bytes)
        }
    }

    /// Empties the iterator, keeping its capacity.
    public mutating func clear() {
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        index = -1
    }

    /// Moves to the next sample; false at the end (and stays there).
    @inlinable
    public mutating func next() -> Bool {
        let n = timestamps.count
        if index < n { index &+= 1 }
        return index < n
    }

    /// Timestamp of the current sample. Only valid after `next()` or
    /// `seek(to:)` returned true.
    @inlinable public var timestamp: Int64 { timestamps[index] }
    /// Value of the current sample. Only valid after `next()` or
    /// `seek(to:)` returned true.
    @inlinable public var value: Double { values[index] }

    /// Moves to the first sample with timestamp ≥ `t`, never backwards:
    /// if the current sample already qualifies it stays. Binary search over
    /// the rest. False if there is none (the iterator is then exhausted).
    @inlinable
    public mutating func seek(to t: Int64) -> Bool {
        let n = timestamps.count
        if index < 0 { index = 0 }
        if index >= n { return false }
        if timestamps[index] >= t { return true }
        var lo = index &+ 1
        var hi = n
        timestamps.withUnsafeBufferPointer { p in
            while lo < hi {
                let mid = Int(bitPattern: UInt(bitPattern: lo &+ hi) >> 1)
                if p[mid] < t { lo = mid &+ 1 } else { hi = mid }
            }
        }
        index = lo
        return lo < n
    }

    /// Bulk access to the decoded chunk, e.g. for vectorised aggregation.
    @inlinable
    public func withDecoded<R, E: Error>(
        _ body: (UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws(E) -> R
    ) throws(E) -> R {
        let r: Result<R, E> = timestamps.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in Result { () throws(E) in try body(t, v) } }
        }
        return try r.get()
    }
}
