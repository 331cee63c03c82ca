// Frame-of-reference bit packing of an Int64 sequence after 0, 1 or 2
// differencing steps: the integer core of the block columns (timestamps,
// decimal-scaled values, float bit patterns). Byte layout:
// docs/format/chunks.md, "Packed integers".
//
//   order 0: r_i = x_i                 (gauges wandering in a small range)
//   order 1: r_i = x_i - x_{i-1}       (counters, random walks)
//   order 2: r_i = r'_i - r'_{i-1}     (steady slopes, regular timestamps)
//
// The residuals are stored as (r_i - min) >> shift in `width` bits each,
// where min is their minimum and shift their common power-of-two factor
// (memory gauges move in whole KiB, file systems in 4 KiB blocks). Frame of
// reference (min subtraction, as in Goldstein et al., "Compressing
// relations and indexes", ICDE 1998) is never wider than zig-zag and is
// narrower for counters, whose deltas are all positive. All arithmetic
// wraps, so every Int64 sequence round-trips.

@usableFromInline
struct PackedInts {
    @usableFromInline
    struct Plan {
        @usableFromInline var order: Int
        @usableFromInline var shift: Int
        @usableFromInline var width: Int
        @usableFromInline var minimum: Int64
        /// Encoded size in bytes, header included.
        @usableFromInline var size: Int
    }

    @usableFromInline
    struct Stats {
        var min: Int64 = .max
        var max: Int64 = .min
        var bits: UInt64 = 0
        var first: Int64 = 0

        @inline(__always)
        mutating func start(_ r: Int64) {
            min = r; max = r; first = r; bits = 0
        }

        @inline(__always)
        mutating func add(_ r: Int64) {
            if r < min { min = r }
            if r > max { max = r }
            bits |= UInt64(bitPattern: r &- first)
        }
    }

    static func bitWidth(_ v: UInt64) -> Int { 64 &- v.leadingZeroBitCount }

    static func plan(order: Int, count n: Int, stats s: Stats, firsts: (Int64, Int64)) -> Plan {
        let m = n &- order
        // Residuals' common power-of-two factor: differences between them
        // share it with differences from the first one.
        let shift = s.bits == 0 ? 0 : s.bits.trailingZeroBitCount
        let range = m == 0 ? 0 : UInt64(bitPattern: s.max &- s.min) &>> UInt64(shift)
        let width = bitWidth(range)
        var size = 2 &+ (m &* width &+ 7) / 8
        if order >= 1 { size &+= uvarintSize(zigzagEncode(firsts.0)) }
        if order >= 2 { size &+= uvarintSize(zigzagEncode(firsts.1)) }
        let minimum = m == 0 ? 0 : s.min
        size &+= uvarintSize(zigzagEncode(minimum))
        return Plan(order: order, shift: width == 0 ? 0 : shift, width: width, minimum: minimum, size: size)
    }

    /// The smallest plan among the differencing orders in `orders` (a
    /// subrange of 0...2; orders above `xs.count` are skipped).
    static func bestPlan(_ xs: UnsafeBufferPointer<Int64>, orders: ClosedRange<Int>) -> Plan {
        let n = xs.count
        precondition(n > 0)
        let x = xs.baseAddress!
        var s0 = Stats(), s1 = Stats(), s2 = Stats()
        s0.start(x[0])
        var d1: Int64 = 0
        if n >= 2 {
            d1 = x[1] &- x[0]
            s0.add(x[1])
            s1.start(d1)
        }
        if n >= 3 {
            var prev = x[1]
            var prevD = d1
            s2.start((x[2] &- x[1]) &- d1)
            for i in 2..<n {
                let v = x[i]
                let d = v &- prev
                s0.add(v)
                s1.add(d)
                s2.add(d &- prevD)
                prev = v
                prevD = d
            }
        }
        var best: Plan? = nil
        for order in orders where order <= n {
            let s = order == 0 ? s0 : order == 1 ? s1 : s2
            let p = plan(order: order, count: n, stats: s, firsts: (x[0], d1))
            if best == nil || p.size < best!.size { best = p }
        }
        return best!
    }

    /// Appends the header and packed residuals of `xs` under `plan`.
    static func encode(_ xs: UnsafeBufferPointer<Int64>, plan: Plan, into out: inout [UInt8]) {
        let n = xs.count
        let x = xs.baseAddress!
        out.append(UInt8(plan.order << 6 | plan.shift))
        out.append(UInt8(plan.width))
        if plan.order >= 1 { out.appendVarint(x[0]) }
        if plan.order >= 2 { out.appendVarint(x[1] &- x[0]) }
        out.appendVarint(plan.minimum)
        let m = n - plan.order
        let w = plan.width
        if w == 0 || m == 0 { return }
        let nbytes = (m * w + 7) / 8
        let start = out.count
        // 8 spare bytes let the final partial word be stored whole.
        out.append(contentsOf: repeatElement(0, count: nbytes + 8))
        let shift = UInt64(plan.shift)
        let minimum = plan.minimum
        let order = plan.order
        out.withUnsafeMutableBytes { raw in
            var p = raw.baseAddress! + start
            var acc: UInt64 = 0
            var used = 0
            var prev = order >= 1 ? x[order - 1] : 0
            var prevD = order == 2 ? x[1] &- x[0] : 0
            for i in order..<n {
                let v = x[i]
                let r: Int64
                switch order {
                case 0: r = v
                case 1: r = v &- prev
                default:
                    let d = v &- prev
                    r = d &- prevD
                    prevD = d
                }
                prev = v
                let u = UInt64(bitPattern: r &- minimum) &>> shift
                let free = 64 &- used
                if w < free {
                    acc = (acc &<< UInt64(w)) | u
                    used &+= w
                } else {
                    let rest = w &- free
                    let word = ((acc &<< UInt64(free &- 1)) &<< 1) | (u &>> UInt64(rest))
                    p.storeBytes(of: word.bigEndian, as: UInt64.self)
                    p += 8
                    acc = u
                    used = rest
                }
            }
            if used > 0 {
                let word = (acc &<< UInt64(63 &- used)) &<< 1
                p.storeBytes(of: word.bigEndian, as: UInt64.self)
            }
        }
        out.removeLast(8)
    }

    /// Decodes `n` integers (n ≥ 1) from `r`'s position into `out[0..<n]`.
    @inlinable
    static func decode(_ r: inout ByteReader, count n: Int, into out: UnsafeMutablePointer<Int64>) throws(CodecError) {
        let headerAt = r.offset
        let os = try r.byte("packed integers: order/shift")
        let order = Int(os >> 6)
        let shift = Int(os & 63)
        let w = Int(try r.byte("packed integers: width"))
        guard order <= 2, order <= n else {
            throw .badHeader(offset: headerAt, what: "packed integers: order \(order) for \(n) values")
        }
        guard w <= 64, w + shift <= 64 else {
            throw .badHeader(offset: headerAt + 1, what: "packed integers: width \(w), shift \(shift)")
        }
        let x0 = order >= 1 ? try r.varint("packed integers: first value") : 0
        let d1 = order >= 2 ? try r.varint("packed integers: first delta") : 0
        let minimum = try r.varint("packed integers: minimum")
        let m = n - order
        let nbytes = (m * w + 7) / 8
        let dataAt = r.offset
        guard let data = r.readBytes(nbytes) else {
            throw .truncated(offset: dataAt, what: "packed integers: \(m) values of \(w) bits")
        }
        let res = out + order
        unpack(data, count: m, width: w, into: res)
        // Rebuild: residual = min + (u << shift), then undo the differencing.
        let sh = UInt64(shift)
        switch order {
        case 0:
            for i in 0..<m {
                res[i] = minimum &+ Int64(bitPattern: UInt64(bitPattern: res[i]) &<< sh)
            }
        case 1:
            var x = x0
            out[0] = x
            for i in 0..<m {
                x &+= minimum &+ Int64(bitPattern: UInt64(bitPattern: res[i]) &<< sh)
                res[i] = x
            }
        default:
            var x = x0 &+ d1
            var d = d1
            out[0] = x0
            out[1] = x
            for i in 0..<m {
                d &+= minimum &+ Int64(bitPattern: UInt64(bitPattern: res[i]) &<< sh)
                x &+= d
                res[i] = x
            }
        }
    }

    /// Unpacks `m` values of `w` bits (MSB first) into `out` as raw bit
    /// patterns. `data` holds exactly ceil(m·w/8) bytes (checked by the
    /// caller).
    @inlinable
    static func unpack(_ data: UnsafeRawBufferPointer, count m: Int, width w: Int, into out: UnsafeMutablePointer<Int64>) {
        if m == 0 { return }
        if w == 0 {
            out.update(repeating: 0, count: m)
            return
        }
        var i = 0
        if w <= 56, data.count >= 8, let base = data.baseAddress {
            // Value i starts at bit i·w; one unaligned 8-byte load covers it
            // as long as its first byte is at least 8 bytes from the end.
            let fast = Swift.min(m, ((data.count - 8) * 8) / w + 1)
            let right = UInt64(64 - w)
            while i < fast {
                let bit = i &* w
                let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                out[i] = Int64(bitPattern: (word &<< UInt64(bit & 7)) &>> right)
                i &+= 1
            }
        }
        if i < m {
            let bit = i * w
            var br = BitReader(data, byteOffset: bit >> 3)
            if bit & 7 != 0 { _ = br.read(bits: bit & 7) }
            while i < m {
                out[i] = Int64(bitPattern: br.read(bits: w))
                i &+= 1
            }
        }
    }
}
