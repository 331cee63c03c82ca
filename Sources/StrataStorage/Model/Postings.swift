/// Operations on postings lists: sorted, duplicate-free lists of series ids.
///
/// Ids are `UInt32` for block-local series ids and `UInt64` for head series
/// refs. Every operation is generic over the id type and `@inlinable`, so a
/// call site compiles to a loop specialised for its concrete type (no
/// existentials, no witness-table calls per element).
///
/// The functions read `UnsafeBufferPointer`s (get them inside a
/// `withUnsafeBufferPointer` closure, or from an mmap'd block) or arrays, and
/// write into a caller-owned `inout [T]`: the array is overwritten and keeps
/// its capacity, so a query that reuses one buffer allocates nothing per call.
///
/// Inputs must be sorted ascending without duplicates; outputs are too. This
/// is checked only in debug builds (`Postings.isSortedUnique`).
public enum Postings {
    /// Above this size ratio, intersect and subtract search the long list
    /// with galloping (exponential then binary) search instead of merging;
    /// from the release-build measurement reported on the `model` branch
    /// (merge ≈ 1–2 ns per element of both lists, a gallop probe ≈ 20–40 ns).
    public static let gallopRatio = 32

    /// True if `list` is strictly increasing.
    @inlinable
    public static func isSortedUnique<T: FixedWidthInteger & UnsignedInteger>(_ list: UnsafeBufferPointer<T>) -> Bool {
        var i = 1
        while i < list.count {
            if list[i - 1] >= list[i] { return false }
            i += 1
        }
        return true
    }

    @inlinable
    public static func isSortedUnique<T: FixedWidthInteger & UnsignedInteger>(_ list: [T]) -> Bool {
        list.withUnsafeBufferPointer { isSortedUnique($0) }
    }

    /// Sets `out.count` to `bound` (reusing capacity), lets `body` write up to
    /// `bound` elements through a pointer and return how many it wrote, then
    /// trims `out` to that.
    @inlinable
    static func produce<T: FixedWidthInteger & UnsignedInteger>(
        _ out: inout [T], bound: Int, _ body: (UnsafeMutablePointer<T>) -> Int
    ) {
        if bound == 0 {
            out.removeAll(keepingCapacity: true)
            return
        }
        if out.count > bound {
            out.removeLast(out.count - bound)
        } else if out.count < bound {
            // Arrays have no "append uninitialised": zero-fill the missing part.
            out.append(contentsOf: repeatElement(0, count: bound - out.count))
        }
        let k = out.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        out.removeLast(bound - k)
    }

    /// First index `i` in `lo..<n` with `p[i] >= x`, or `n`: exponential
    /// probing from `lo`, then binary search (Bentley & Yao 1976; the
    /// "galloping" of Demaine, López-Ortiz & Munro 2000 for intersections).
    @inlinable @inline(__always)
    static func gallop<T: FixedWidthInteger & UnsignedInteger>(
        _ p: UnsafePointer<T>, from lo: Int, count n: Int, to x: T
    ) -> Int {
        var base = lo
        var step = 1
        var probe = lo
        while probe < n && p[probe] < x {
            base = probe &+ 1
            probe = base &+ step
            step &<<= 1
        }
        var l = base
        var r = probe < n ? probe : n
        while l < r {
            let m = (l &+ r) &>> 1
            if p[m] < x { l = m &+ 1 } else { r = m }
        }
        return l
    }

    /// `memmove`: regions may overlap (in-place subtract copies a run of a
    /// list to a lower index in the same list).
    @inlinable @inline(__always)
    static func copyIds<T: FixedWidthInteger & UnsignedInteger>(
        _ dst: UnsafeMutablePointer<T>, _ src: UnsafePointer<T>, _ n: Int
    ) {
        if n > 0 { UnsafeMutableRawPointer(dst).copyMemory(from: src, byteCount: n * MemoryLayout<T>.stride) }
    }
}
