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
// narrower for counters, whose deltas are all positive.
//
// Framed variant: rates drift over a 2 h block (a host gets busier), so
// the block-wide range of the residuals is wider than any stretch of 32 of
// them. Frames of 32 residuals with their own minimum and width (after
// PFOR-style frame-of-reference coding, Zukowski et al., ICDE 2006) cut the
// node workload's value columns by about 4%; the encoder uses them only
// where they are smaller.
//
// All arithmetic wraps, so every Int64 sequence round-trips.

@usableFromInline
struct PackedInts {
    /// log2 of the frame size of the framed variant.
    static let frameLog2 = 5

    @usableFromInline
    struct Plan {
        @usableFromInline var order: Int
        @usableFromInline var shift: Int
        /// Bits per residual; for the framed variant, the bits of a frame's
        /// minimum (offset from the global minimum).
        @usableFromInline var width: Int
        @usableFromInline var minimum: Int64
        /// 0: one frame for all; otherwise log2 of the frame size.
        @usableFromInline var frameLog2: Int
        /// Bytes of packed payload.
        @usableFromInline var payload: Int
        /// Encoded size in bytes, header included.
        @usableFromInline var size: Int
    }

    @inline(__always)
    static func bitWidth(_ v: UInt64) -> Int { 64 &- v.leadingZeroBitCount }

    static func headerSize(order: Int, firsts: (Int64, Int64), minimum: Int64) -> Int {
        var size = 2
        if order >= 1 { size &+= uvarintSize(zigzagEncode(firsts.0)) }
        if order >= 2 { size &+= uvarintSize(zigzagEncode(firsts.1)) }
        return size &+ uvarintSize(zigzagEncode(minimum))
    }

    @inline(__always)
    static func residual(_ x: UnsafePointer<Int64>, _ i: Int, order: Int) -> Int64 {
        switch order {
        case 0: return x[i]
        case 1: return x[i] &- x[i &- 1]
        default: return (x[i] &- x[i &- 1]) &- (x[i &- 1] &- x[i &- 2])
        }
    }

    /// Residuals of `order` in frame j: those of elements
    /// [j·F, (j+1)·F) ∩ [order, n). (Frames are aligned on elements, not
    /// residuals, so one pass can collect all three orders' frame ranges.)
    @inlinable @inline(__always)
    static func frameRange(_ j: Int, frameLog2: Int, order: Int, count n: Int) -> Range<Int> {
        let lo = Swift.max(j << frameLog2, order)
        let hi = Swift.min((j &+ 1) << frameLog2, n)
        return lo < hi ? lo..<hi : lo..<lo
    }

    /// The smallest plan among the differencing orders in `orders` (a
    /// subrange of 0...2; orders above `xs.count` are skipped), framed or
    /// not. One pass over the input collects, per frame of 32 elements, the
    /// residual range of all three orders; the global range and the
    /// common power-of-two factor follow from them.
    static func bestPlan(_ xs: UnsafeBufferPointer<Int64>, orders: ClosedRange<Int>) -> Plan {
        let n = xs.count
        precondition(n > 0)
        let x = xs.baseAddress!
        let fl = frameLog2
        let frames = (n &+ (1 << fl) &- 1) >> fl
        let d1: Int64 = n >= 2 ? x[1] &- x[0] : 0
        let x0 = x[0]
        return withUnsafeTemporaryAllocation(of: Int64.self, capacity: frames &* 6) { fb in
            let f = fb.baseAddress!  // per frame: min0, max0, min1, max1, min2, max2
            // Common power-of-two factor of all x_i − x_0. Every residual
            // of every order, minus its minimum, is an integer combination
            // of such differences, so the factor serves all three orders
            // (one OR per element instead of three).
            var or0: UInt64 = 0
            for j in 0..<frames {
                let lo = j << fl
                let hi = Swift.min(lo &+ (1 << fl), n)
                var mn0 = Int64.max, mx0 = Int64.min
                var mn1 = Int64.max, mx1 = Int64.min
                var mn2 = Int64.max, mx2 = Int64.min
                var i = lo
                // The first two elements lack some orders' residuals.
                while i < hi && i < 2 {
                    let v = x[i]
                    mn0 = Swift.min(mn0, v); mx0 = Swift.max(mx0, v)
                    or0 |= UInt64(bitPattern: v &- x0)
                    if i == 1 { mn1 = Swift.min(mn1, d1); mx1 = Swift.max(mx1, d1) }
                    i &+= 1
                }
                if i < hi {
                    var prev = x[i &- 1]
                    var prevD = prev &- x[i &- 2]
                    while i < hi {
                        let v = x[i]
                        let d = v &- prev
                        let dd = d &- prevD
                        mn0 = Swift.min(mn0, v); mx0 = Swift.max(mx0, v)
                        mn1 = Swift.min(mn1, d); mx1 = Swift.max(mx1, d)
                        mn2 = Swift.min(mn2, dd); mx2 = Swift.max(mx2, dd)
                        or0 |= UInt64(bitPattern: v &- x0)
                        prev = v
                        prevD = d
                        i &+= 1
                    }
                }
                let o = j &* 6
                f[o] = mn0; f[o &+ 1] = mx0; f[o &+ 2] = mn1; f[o &+ 3] = mx1; f[o &+ 4] = mn2; f[o &+ 5] = mx2
            }
            var best: Plan? = nil
            for order in orders where order <= n {
                let m = n &- order
                let shift = or0 == 0 ? 0 : or0.trailingZeroBitCount
                var gmin = Int64.max, gmax = Int64.min
                for j in 0..<frames where !frameRange(j, frameLog2: fl, order: order, count: n).isEmpty {
                    gmin = Swift.min(gmin, f[j &* 6 &+ 2 &* order])
                    gmax = Swift.max(gmax, f[j &* 6 &+ 2 &* order &+ 1])
                }
                if m == 0 { gmin = 0; gmax = 0 }
                let width = bitWidth(UInt64(bitPattern: gmax &- gmin) &>> UInt64(shift))
                let payload = (m &* width &+ 7) / 8
                let header = headerSize(order: order, firsts: (x[0], d1), minimum: gmin)
                var p = Plan(
                    order: order, shift: width == 0 ? 0 : shift, width: width, minimum: gmin, frameLog2: 0,
                    payload: payload, size: header &+ payload)
                // Frames: 7 bits of width and `width` bits of minimum offset
                // per frame, then the frame's residuals in its own width.
                if frames >= 4 && width >= 3 {
                    var fbits = 0
                    for j in 0..<frames {
                        let c = frameRange(j, frameLog2: fl, order: order, count: n).count
                        if c == 0 { continue }
                        let range = UInt64(bitPattern: f[j &* 6 &+ 2 &* order &+ 1] &- f[j &* 6 &+ 2 &* order])
                        fbits &+= 7 &+ width &+ c &* bitWidth(range &>> UInt64(shift))
                    }
                    let fpayload = (fbits &+ 7) / 8
                    if header &+ 1 &+ fpayload < p.size {
                        p.frameLog2 = fl
                        p.payload = fpayload
                        p.size = header &+ 1 &+ fpayload
                    }
                }
                if best == nil || p.size < best!.size { best = p }
            }
            return best!
        }
    }

    /// Appends the header and packed residuals of `xs` under `plan`.
    static func encode(_ xs: UnsafeBufferPointer<Int64>, plan: Plan, into out: inout [UInt8]) {
        let n = xs.count
        let x = xs.baseAddress!
        out.append(UInt8(plan.order << 6 | plan.shift))
        out.append(UInt8(plan.width) | (plan.frameLog2 > 0 ? 0x80 : 0))
        if plan.frameLog2 > 0 { out.append(UInt8(plan.frameLog2)) }
        if plan.order >= 1 { out.appendVarint(x[0]) }
        if plan.order >= 2 { out.appendVarint(x[1] &- x[0]) }
        out.appendVarint(plan.minimum)
        let m = n - plan.order
        if plan.payload == 0 || m == 0 { return }
        let start = out.count
        // 8 spare bytes let the final partial word be stored whole.
        out.append(contentsOf: repeatElement(0, count: plan.payload + 8))
        let shift = UInt64(plan.shift)
        let minimum = plan.minimum
        let order = plan.order
        let w = plan.width
        out.withUnsafeMutableBytes { raw in
            var p = raw.baseAddress! + start
            var acc: UInt64 = 0
            var used = 0
            // Appends the low `bits` (1...64) bits of u, MSB first.
            @inline(__always) func put(_ u: UInt64, _ bits: Int) {
                let free = 64 &- used
                if bits < free {
                    acc = (acc &<< UInt64(bits)) | u
                    used &+= bits
                } else {
                    let rest = bits &- free
                    let word = ((acc &<< UInt64(free &- 1)) &<< 1) | (u &>> UInt64(rest))
                    p.storeBytes(of: word.bigEndian, as: UInt64.self)
                    p += 8
                    acc = u
                    used = rest
                }
            }
            if plan.frameLog2 == 0 {
                // One loop per order so that the switch leaves the loop.
                switch order {
                case 0: for i in 0..<n { put(UInt64(bitPattern: x[i] &- minimum) &>> shift, w) }
                case 1: for i in 1..<n { put(UInt64(bitPattern: (x[i] &- x[i - 1]) &- minimum) &>> shift, w) }
                default: for i in 2..<n { put(UInt64(bitPattern: residual(x, i, order: 2) &- minimum) &>> shift, w) }
                }
            } else {
                let frames = (n &+ (1 << plan.frameLog2) &- 1) >> plan.frameLog2
                for j in 0..<frames {
                    let range = frameRange(j, frameLog2: plan.frameLog2, order: order, count: n)
                    if range.isEmpty { continue }
                    var lo = Int64.max, hi = Int64.min
                    for i in range {
                        let r = residual(x, i, order: order)
                        if r < lo { lo = r }
                        if r > hi { hi = r }
                    }
                    let fw = bitWidth(UInt64(bitPattern: hi &- lo) &>> shift)
                    put(UInt64(fw), 7)
                    if w > 0 { put(UInt64(bitPattern: lo &- minimum) &>> shift, w) }
                    if fw > 0 {
                        for i in range { put(UInt64(bitPattern: residual(x, i, order: order) &- lo) &>> shift, fw) }
                    }
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
        let wf = try r.byte("packed integers: width")
        let w = Int(wf & 0x7f)
        guard order <= 2, order <= n else {
            throw .badHeader(offset: headerAt, what: "packed integers: order \(order) for \(n) values")
        }
        guard w <= 64, w + shift <= 64 else {
            throw .badHeader(offset: headerAt + 1, what: "packed integers: width \(w), shift \(shift)")
        }
        var frameLog2 = 0
        if wf & 0x80 != 0 {
            frameLog2 = Int(try r.byte("packed integers: frame size"))
            guard frameLog2 >= 1 && frameLog2 <= 16 else {
                throw .badHeader(offset: headerAt + 2, what: "packed integers: frame size 2^\(frameLog2)")
            }
        }
        let x0 = order >= 1 ? try r.varint("packed integers: first value") : 0
        let d1 = order >= 2 ? try r.varint("packed integers: first delta") : 0
        let minimum = try r.varint("packed integers: minimum")
        let m = n - order
        let res = out + order
        if frameLog2 == 0 {
            let nbytes = (m * w + 7) / 8
            let dataAt = r.offset
            guard let data = r.readBytes(nbytes) else {
                throw .truncated(offset: dataAt, what: "packed integers: \(m) values of \(w) bits")
            }
            unpack(data, bitOffset: 0, count: m, width: w, into: res)
        } else {
            try decodeFrames(&r, count: n, order: order, frameLog2: frameLog2, width: w, shift: shift, into: out)
        }
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

    /// Reads the frames of the framed variant: each frame's values come
    /// out as (frame minimum offset + value), still to be shifted and
    /// offset by the global minimum.
    @inlinable
    static func decodeFrames(
        _ r: inout ByteReader, count n: Int, order: Int, frameLog2: Int, width w: Int, shift: Int,
        into out: UnsafeMutablePointer<Int64>
    ) throws(CodecError) {
        let start = r.offset
        let data = UnsafeRawBufferPointer(rebasing: r.base[start...])
        let totalBits = data.count &* 8
        var bit = 0
        let frames = (n &+ (1 << frameLog2) &- 1) >> frameLog2
        for j in 0..<frames {
            let range = frameRange(j, frameLog2: frameLog2, order: order, count: n)
            if range.isEmpty { continue }
            let count = range.count
            guard bit &+ 7 &+ w <= totalBits else {
                throw .truncated(offset: start + data.count, what: "packed integers: frame header")
            }
            var br = BitReader(data, byteOffset: bit >> 3)
            if bit & 7 != 0 { _ = br.read(bits: bit & 7) }
            let fw = Int(br.read(bits: 7))
            let fmin = br.read(bits: w)
            bit &+= 7 &+ w
            guard fw <= 64, fw + shift <= 64 else {
                throw .badHeader(offset: start + (bit >> 3), what: "packed integers: frame width \(fw)")
            }
            guard bit &+ count &* fw <= totalBits else {
                throw .truncated(offset: start + data.count, what: "packed integers: frame of \(count) values of \(fw) bits")
            }
            unpack(data, bitOffset: bit, count: count, width: fw, into: out + range.lowerBound)
            let base = Int64(bitPattern: fmin)
            for i in range { out[i] &+= base }
            bit &+= count &* fw
        }
        r.offset = start + (bit + 7) / 8
    }

    /// Unpacks `m` values of `w` bits (MSB first), the first at `bitOffset`,
    /// into `out` as raw bit patterns. The caller has checked that `data`
    /// holds them.
    @inlinable
    static func unpack(_ data: UnsafeRawBufferPointer, bitOffset: Int, count m: Int, width w: Int, into out: UnsafeMutablePointer<Int64>) {
        if m == 0 { return }
        if w == 0 {
            out.update(repeating: 0, count: m)
            return
        }
        var i = 0
        if w <= 56, data.count >= 8, let base = data.baseAddress {
            // Value i starts at bit offset + i·w; one unaligned 8-byte load
            // covers it as long as its first byte is at least 8 bytes from
            // the end.
            let lastStart = (data.count - 8) * 8  // last bit position whose byte allows a full load
            let fast = lastStart < bitOffset ? 0 : Swift.min(m, (lastStart - bitOffset) / w + 1)
            let right = UInt64(64 - w)
            while i < fast {
                let bit = bitOffset &+ i &* w
                let word = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                out[i] = Int64(bitPattern: (word &<< UInt64(bit & 7)) &>> right)
                i &+= 1
            }
        }
        if i < m {
            let bit = bitOffset + i * w
            var br = BitReader(data, byteOffset: bit >> 3)
            if bit & 7 != 0 { _ = br.read(bits: bit & 7) }
            while i < m {
                out[i] = Int64(bitPattern: br.read(bits: w))
                i &+= 1
            }
        }
    }
}
