extension Postings {
    /// `out = a − b` (the ids of `a` that are not in `b`).
    @inlinable
    public static func subtract<T: FixedWidthInteger & UnsignedInteger>(
        _ a: UnsafeBufferPointer<T>, _ b: UnsafeBufferPointer<T>, into out: inout [T]
    ) {
        guard let ap = a.baseAddress, a.count > 0 else {
            out.removeAll(keepingCapacity: true)
            return
        }
        produce(&out, bound: a.count) { o in
            guard let bp = b.baseAddress, b.count > 0 else {
                copyIds(o, ap, a.count)
                return a.count
            }
            return subtractKernel(ap, a.count, bp, b.count, o)
        }
    }

    /// Array form of `subtract(_:_:into:)`.
    @inlinable
    public static func subtract<T: FixedWidthInteger & UnsignedInteger>(_ a: [T], _ b: [T], into out: inout [T]) {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in subtract(pa, pb, into: &out) } }
    }

    /// `list = list − other`, in place.
    @inlinable
    public static func formSubtraction<T: FixedWidthInteger & UnsignedInteger>(
        _ list: inout [T], _ other: UnsafeBufferPointer<T>
    ) {
        guard let op = other.baseAddress, other.count > 0 else { return }
        let n = list.count
        if n == 0 { return }
        let k = list.withUnsafeMutableBufferPointer { l in
            subtractKernel(UnsafePointer(l.baseAddress!), n, op, other.count, l.baseAddress!)
        }
        list.removeLast(n - k)
    }

    /// `a − b` into `out` (both non-empty), returning the count. `out` may
    /// alias `a`: writes never pass the read position in `a`.
    @inlinable
    static func subtractKernel<T: FixedWidthInteger & UnsignedInteger>(
        _ a: UnsafePointer<T>, _ na: Int, _ b: UnsafePointer<T>, _ nb: Int, _ out: UnsafeMutablePointer<T>
    ) -> Int {
        if nb / na >= gallopRatio {
            // a is short: keep each id that b does not contain.
            var k = 0, j = 0
            for i in 0..<na {
                let x = a[i]
                j = gallop(b, from: j, count: nb, to: x)
                if j == nb || b[j] != x {
                    out[k] = x
                    k &+= 1
                }
            }
            return k
        }
        if na / nb >= gallopRatio {
            // b is short: copy the runs of a between the ids of b.
            var k = 0, i = 0
            for j in 0..<nb {
                let p = gallop(a, from: i, count: na, to: b[j])
                if p > i {
                    copyIds(out + k, a + i, p - i)
                    k &+= p - i
                }
                i = p
                if i == na { break }
                if a[i] == b[j] { i &+= 1 }
            }
            if i < na {
                copyIds(out + k, a + i, na - i)
                k &+= na - i
            }
            return k
        }
        var i = 0, j = 0, k = 0
        if na / nb >= branchFreeMaxRatio || nb / na >= branchFreeMaxRatio {
            // Skewed: predictable branches (see `branchFreeMaxRatio`).
            while i < na && j < nb {
                let x = a[i], y = b[j]
                if x < y {
                    out[k] = x
                    k &+= 1
                    i &+= 1
                } else {
                    i &+= bit(x == y)
                    j &+= 1
                }
            }
        } else {
            // Branch-free merge: write a[i], keep it only if it is below b[j].
            while i < na && j < nb {
                let x = a[i], y = b[j]
                out[k] = x
                k &+= bit(x < y)
                i &+= bit(x <= y)
                j &+= bit(y <= x)
            }
        }
        if i < na {
            copyIds(out + k, a + i, na - i)
            k &+= na - i
        }
        return k
    }
}
