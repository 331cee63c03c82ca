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

    @inline(__always)
    static func bitWidth(_ v: UInt64) -> Int { 64 &- v.leadingZeroBitCount }

    static func headerSize(order: Int, firsts: (Int64, Int64), minimum: Int64) -> Int {
        var size = 2
        if order >= 1 { size &+= uvarintSize(zigzagEncode(firsts.0)) }
        if order >= 2 { size &+= uvarintSize(zigzagEncode(firsts.1)) }
        return size &+ uvarintSize(zigzagEncode(minimum))
    }

    static func plan(order: Int, count n: Int, stats s: Stats, firsts: (Int64, Int64)) -> Plan {
        let m = n &- order
        // Residuals' common power-of-two factor: differences between them
        // share it with differences from the first one.
        let shift = s.bits == 0 ? 0 : s.bits.trailingZeroBitCount
        let range = m == 0 ? 0 : UInt64(bitPattern: s.max &- s.min) &>> UInt64(shift)
        let width = bitWidth(range)
        let minimum = m == 0 ? 0 : s.min
        let payload = (m &* width &+ 7) / 8
        return Plan(
            order: order, shift: width == 0 ? 0 : shift, width: width, minimum: minimum, frameLog2: 0,
            payload: payload, size: headerSize(order: order, firsts: firsts, minimum: minimum) &+ payload)
    }

    @inline(__always)
    static func residual(_ x: UnsafePointer<Int64>, _ i: Int, order: Int) -> Int64 {
        switch order {
        case 0: return x[i]
        case 1: return x[i] &- x[i &- 1]
        default: return (x[i] &- x[i &- 1]) &- (x[i &- 1] &- x[i &- 2])
        }
    }

    /// Bits of the framed payload of `order` under the global `plan`
    /// (same minimum and shift): per frame 7 bits of width, `plan.width`
    /// bits of minimum offset, and the frame's residuals.
    static func framedBits(_ x: UnsafePointer<Int64>, count n: Int, plan: Plan) -> Int {
        let order = plan.order
        let shift = UInt64(plan.shift)
        let f = 1 << frameLog2
        var bits = 0
        var i = order
        while i < n {
            let end = Swift.min(i &+ f, n)
            var lo = Int64.max, hi = Int64.min
            for j in i..<end {
                let r = residual(x, j, order: order)
                if r < lo { lo = r }
                if r > hi { hi = r }
            }
            bits &+= 7 &+ plan.width &+ (end &- i) &* bitWidth(UInt64(bitPattern: hi &- lo) &>> shift)
            i = end
        }
        return bits
    }

    /// The smallest plan among the differencing orders in `orders` (a
    /// subrange of 0...2; orders above `xs.count` are skipped), framed or
    /// not.
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
        var plans: [Plan] = []
        var best: Plan? = nil
        for order in orders where order <= n {
            let s = order == 0 ? s0 : order == 1 ? s1 : s2
            let p = plan(order: order, count: n, stats: s, firsts: (x[0], d1))
            plans.append(p)
            if best == nil || p.size < best!.size { best = p }
        }
        // Frames pay only on long columns with wide residuals. Price the
        // best order and delta coding (the counters' order), not all three:
        // each costs a pass.
        if n >= 4 << frameLog2 && best!.width >= 3 {
            for p in plans where p.order == best!.order || p.order == 1 {
                let bits = framedBits(x, count: n, plan: p)
                let payload = (bits + 7) / 8
                let size = p.size - p.payload + 1 + payload
                if size < best!.size {
                    var f = p
                    f.frameLog2 = frameLog2
                    f.payload = payload
                    f.size = size
                    best = f
                }
            }
        }
        return best!
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
                let f = 1 << plan.frameLog2
                var i = order
                while i < n {
                    let end = Swift.min(i &+ f, n)
                    var lo = Int64.max, hi = Int64.min
                    for j in i..<end {
                        let r = residual(x, j, order: order)
                        if r < lo { lo = r }
                        if r > hi { hi = r }
                    }
                    let fw = bitWidth(UInt64(bitPattern: hi &- lo) &>> shift)
                    put(UInt64(fw), 7)
                    if w > 0 { put(UInt64(bitPattern: lo &- minimum) &>> shift, w) }
                    if fw > 0 {
                        for j in i..<end { put(UInt64(bitPattern: residual(x, j, order: order) &- lo) &>> shift, fw) }
                    }
                    i = end
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
            try decodeFrames(&r, count: m, frameLog2: frameLog2, width: w, shift: shift, into: res)
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
        _ r: inout ByteReader, count m: Int, frameLog2: Int, width w: Int, shift: Int,
        into res: UnsafeMutablePointer<Int64>
    ) throws(CodecError) {
        let start = r.offset
        let data = UnsafeRawBufferPointer(rebasing: r.base[start...])
        let totalBits = data.count &* 8
        var bit = 0
        var i = 0
        let f = 1 << frameLog2
        while i < m {
            let count = Swift.min(f, m &- i)
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
            unpack(data, bitOffset: bit, count: count, width: fw, into: res + i)
            let base = Int64(bitPattern: fmin)
            for j in i..<(i &+ count) { res[j] &+= base }
            bit &+= count &* fw
            i &+= count
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
