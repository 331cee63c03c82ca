extension Postings {
    /// `out = a ∩ b`.
    @inlinable
    public static func intersect<T: FixedWidthInteger & UnsignedInteger>(
        _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, into out: inout [T]
    ) {
        // Keep the shorter list first so the output bound is tight.
        let (s, l) = a.count <= b.count ? (a, b) : (b, a)
        guard let sp = s.baseAddress, let lp = l.baseAddress, s.count > 0, l.count > 0 else {
            out.removeAll(keepingCapacity: true)
            return
        }
        produce(&out, bound: s.count) { o in
            intersectKernel(sp, s.count, lp, l.count, o)
        }
    }

    /// `out = lists[0] ∩ lists[1] ∩ …`, starting from the shortest list and
    /// stopping early once the result is empty. No lists gives an empty result
    /// (the caller decides what "no constraint" means).
    @inlinable
    public static func intersect<T: FixedWidthInteger & UnsignedInteger>(
        _ lists: [UnsafeBufferPointer<T>], into out: inout [T]
    ) {
        switch lists.count {
        case 0:
            out.removeAll(keepingCapacity: true)
        case 1:
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: lists[0])
        default:
            let order = lists.indices.sorted { lists[$0].count < lists[$1].count }
            intersect(lists[order[0]], lists[order[1]], into: &out)
            for idx in order.dropFirst(2) {
                if out.isEmpty { return }
                formIntersection(&out, lists[idx])
            }
        }
    }

    /// Array form of `intersect(_:into:)`.
    @inlinable
    public static func intersect<T: FixedWidthInteger & UnsignedInteger>(_ lists: [[T]], into out: inout [T]) {
        switch lists.count {
        case 0:
            out.removeAll(keepingCapacity: true)
        case 1:
            out.removeAll(keepingCapacity: true)
            out.append(contentsOf: lists[0])
        default:
            let order = lists.indices.sorted { lists[$0].count < lists[$1].count }
            lists[order[0]].withUnsafeBufferPointer { a in
                lists[order[1]].withUnsafeBufferPointer { b in intersect(a, b, into: &out) }
            }
            for idx in order.dropFirst(2) {
                if out.isEmpty { return }
                lists[idx].withUnsafeBufferPointer { formIntersection(&out, $0) }
            }
        }
    }

    /// `list = list ∩ other`, in place.
    @inlinable
    public static func formIntersection<T: FixedWidthInteger & UnsignedInteger>(
        _ list: inout [T], _ other: UnsafeBufferPointer<T>
    ) {
        guard let op = other.baseAddress, other.count > 0 else {
            list.removeAll(keepingCapacity: true)
            return
        }
        let n = list.count
        if n == 0 { return }
        let k = list.withUnsafeMutableBufferPointer { l in
            // The kernel writes at index ≤ the read index of its first list,
            // so the output may alias it.
            intersectKernel(UnsafePointer(l.baseAddress!), n, op, other.count, l.baseAddress!)
        }
        list.removeLast(n - k)
    }

    /// Intersects `a[0..<na]` and `b[0..<nb]` (both non-empty) into `out`,
    /// returning the count. `out` may alias `a` (never `b`): every write goes
    /// to an index at most the index of the element of `a` just read.
    @inlinable
    static func intersectKernel<T: FixedWidthInteger & UnsignedInteger>(
        _ a: UnsafePointer<T>, _ na: Int, _ b: UnsafePointer<T>, _ nb: Int, _ out: UnsafeMutablePointer<T>
    ) -> Int {
        if nb / na >= gallopRatio {
            // a is short: look each of its ids up in b.
            var k = 0, j = 0
            for i in 0..<na {
                let x = a[i]
                j = gallop(b, from: j, count: nb, to: x)
                if j == nb { break }
                if b[j] == x {
                    out[k] = x
                    k &+= 1
                    j &+= 1
                }
            }
            return k
        }
        if na / nb >= gallopRatio {
            // b is short: look each of its ids up in a. Writes stay at or
            // below the match position in a, which only grows.
            var k = 0, i = 0
            for j in 0..<nb {
                let y = b[j]
                i = gallop(a, from: i, count: na, to: y)
                if i == na { break }
                if a[i] == y {
                    out[k] = y
                    k &+= 1
                    i &+= 1
                }
            }
            return k
        }
        var i = 0, j = 0, k = 0
        if na / nb >= branchFreeMaxRatio || nb / na >= branchFreeMaxRatio {
            // Skewed: the branches are predictable (mostly "advance the long list").
            while i < na && j < nb {
                let x = a[i], y = b[j]
                if x < y {
                    i &+= 1
                } else if y < x {
                    j &+= 1
                } else {
                    out[k] = x
                    k &+= 1
                    i &+= 1
                    j &+= 1
                }
            }
            return k
        }
        // Similar sizes: branch-free merge. Each step writes a[i] at out[k]
        // and keeps it only if it is also in b.
        while i < na && j < nb {
            let x = a[i], y = b[j]
            out[k] = x
            k &+= bit(x == y)
            i &+= bit(x <= y)
            j &+= bit(y <= x)
        }
        return k
    }
}
