import StrataCodec

/// The rollup record: a chunk column holding every aggregate of a run of
/// windows of one series (docs/format/rollups.md). In a rollup block a
/// series chunk is (timestamp column of window starts, rollup record), the
/// window-start column shared between series like any timestamp column.
///
/// ```
/// kind u8 = 0x52 ('R') │ n uvarint │ flags u8
/// count     TimestampColumn (Int64 counts)
/// sum       exact-sum column (RollupChunk+Sums.swift)
/// first     ValueColumn
/// last      ValueColumn
/// min       ValueColumn         absent if flags bit 0: min == first in every window
/// max       ValueColumn         absent if flags bit 1: max == last in every window
/// increase  exact-sum column    absent if flags bit 2: increase == last − first in every window
/// sketches  see below
/// ```
/// Bits 0 to 2 hold for counters without resets (whole chunks of them).
public enum RollupChunk {
    public static let kind: UInt8 = 0x52
    static let minIsFirst: UInt8 = 1, maxIsLast: UInt8 = 2, increaseIsDelta: UInt8 = 4

    /// Sketch section compression (per chunk, whichever is smaller).
    enum Compression: UInt8 { case none = 0, zstd = 1 }

    /// Appends the record for `w`'s windows `range` to `out`. `scratch` is reused.
    public static func encode(_ w: RollupWindows, _ range: Range<Int>, into out: inout [UInt8], scratch: inout Scratch) {
        let n = range.count
        out.append(kind)
        out.appendUVarint(UInt64(n))
        var flags: UInt8 = minIsFirst | maxIsLast | increaseIsDelta
        for i in range {
            if w.min[i].bitPattern != w.first[i].bitPattern { flags &= ~minIsFirst }
            if w.max[i].bitPattern != w.last[i].bitPattern { flags &= ~maxIsLast }
            if w.increase[i].bitPattern != (w.last[i] - w.first[i]).bitPattern { flags &= ~increaseIsDelta }
        }
        out.append(flags)
        w.count.withUnsafeBufferPointer { TimestampColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        func values(_ a: [Double]) {
            a.withUnsafeBufferPointer { ValueColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &out) }
        }
        func exact(_ a: [Double]) {
            a.withUnsafeBufferPointer { encodeExact(UnsafeBufferPointer(rebasing: $0[range]), into: &out, scratch: &scratch) }
        }
        exact(w.sum)
        values(w.first)
        values(w.last)
        if flags & minIsFirst == 0 { values(w.min) }
        if flags & maxIsLast == 0 { values(w.max) }
        if flags & increaseIsDelta == 0 { exact(w.increase) }
        encodeSketches(w, range, into: &out, scratch: &scratch)
    }

    /// Sketch section:
    /// ```
    /// derived bitmap ⌈n/8⌉ bytes   bit i (LSB first): window i's sketch is derivable
    /// compression u8 │ rawLen uvarint │ len uvarint │ data (len)
    /// data (after decompression): { len uvarint │ sketch } for each window not derivable
    /// ```
    /// A sketch is derivable when the window has no NaN and all its values
    /// share one bucket: it is then `count` values in the bucket of `min`
    /// (a counter's 5-minute window nearly always is). Everything else is
    /// stored in the sparse form of `QuantileSketch+Encoding`.
    static func encodeSketches(_ w: RollupWindows, _ range: Range<Int>, into out: inout [UInt8], scratch: inout Scratch) {
        let bitmapStart = out.count
        out.append(contentsOf: repeatElement(0, count: (range.count + 7) / 8))
        scratch.raw.removeAll(keepingCapacity: true)
        for (j, i) in range.enumerated() {
            let r = w.sketchRange(i)
            scratch.single.removeAll(keepingCapacity: true)
            if derivedSketch(count: w.count[i], min: w.min[i], max: w.max[i], into: &scratch.single),
               scratch.single.elementsEqual(w.sketchBytes[r]) {
                out[bitmapStart + j / 8] |= 1 << UInt8(j % 8)
                continue
            }
            scratch.raw.appendUVarint(UInt64(r.count))
            scratch.raw.append(contentsOf: w.sketchBytes[r])
        }
        var compression = Compression.none
        if scratch.raw.count >= 64 {
            scratch.compressed.removeAll(keepingCapacity: true)
            if (try? Zstd.compress(scratch.raw, into: &scratch.compressed, level: 3)) != nil,
               scratch.compressed.count + 2 < scratch.raw.count {
                compression = .zstd
            }
        }
        out.append(compression.rawValue)
        out.appendUVarint(UInt64(scratch.raw.count))
        let data = compression == .zstd ? scratch.compressed : scratch.raw
        out.appendUVarint(UInt64(data.count))
        out.append(contentsOf: data)
    }

    /// Appends the encoded sketch of `count` values all in the bucket of
    /// `min` and returns true, or returns false if min/max show they are
    /// not in one bucket (or include NaN).
    static func derivedSketch(count: Int64, min: Double, max: Double, into out: inout [UInt8]) -> Bool {
        guard count > 0, !min.isNaN, !max.isNaN, QuantileSketch.sameBucket(min, max) else { return false }
        QuantileSketch.encodeSingleBucket(min, count: UInt64(count), into: &out)
        return true
    }

    /// Reusable buffers for encoding and decoding.
    public struct Scratch {
        var raw: [UInt8] = []
        var compressed: [UInt8] = []
        var single: [UInt8] = []
        var plain: [UInt8] = []
        var decimal: [UInt8] = []
        var ulps: [Int64] = []
        var ints: [Int64] = []
        var doubles: [Double] = []
        public init() {}
    }

    /// Decodes a record and appends its windows to `w`, with window starts
    /// `timestamps` (the chunk's timestamp column). Windows are appended
    /// whole or not at all.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, timestamps: UnsafeBufferPointer<Int64>,
        into w: inout RollupWindows, scratch: inout Scratch
    ) throws(CodecError) {
        var r = ByteReader(bytes)
        let k = try r.rollupByte("rollup record kind")
        guard k == kind else { throw .unknownEncoding(offset: 0, kind: k) }
        let n = try r.rollupCount()
        guard n == timestamps.count else { throw .countMismatch(expected: timestamps.count, actual: n) }
        let flags = try r.rollupByte("rollup flags")
        guard flags & ~7 == 0 else { throw .badHeader(offset: r.offset - 1, what: "rollup flags \(flags)") }
        let base = w.windows
        do throws(CodecError) {
            w.timestamps.append(contentsOf: timestamps)
            try column(&r, n, ints: &scratch.ints) { w.count.append(contentsOf: $0) }
            try decodeExact(&r, n, into: &scratch.doubles, ints: &scratch.ints, ulps: &scratch.ulps)
            w.sum.append(contentsOf: scratch.doubles)
            try column(&r, n, &scratch.doubles) { w.first.append(contentsOf: $0) }
            try column(&r, n, &scratch.doubles) { w.last.append(contentsOf: $0) }
            if flags & minIsFirst != 0 { w.min.append(contentsOf: w.first[base...]) } else {
                try column(&r, n, &scratch.doubles) { w.min.append(contentsOf: $0) }
            }
            if flags & maxIsLast != 0 { w.max.append(contentsOf: w.last[base...]) } else {
                try column(&r, n, &scratch.doubles) { w.max.append(contentsOf: $0) }
            }
            if flags & increaseIsDelta != 0 {
                for i in base..<(base + n) { w.increase.append(w.last[i] - w.first[i]) }
            } else {
                try decodeExact(&r, n, into: &scratch.doubles, ints: &scratch.ints, ulps: &scratch.ulps)
                w.increase.append(contentsOf: scratch.doubles)
            }
            try decodeSketches(&r, n, base: base, into: &w, scratch: &scratch)
        } catch {
            w.truncate(to: base)
            throw error
        }
    }

    private static func column(_ r: inout ByteReader, _ n: Int, ints: inout [Int64], _ body: ([Int64]) -> Void) throws(CodecError) {
        let at = r.offset
        let used = try TimestampColumn.decode(UnsafeRawBufferPointer(rebasing: r.base[at...]), into: &ints)
        guard ints.count == n else { throw .countMismatch(expected: n, actual: ints.count) }
        r.offset = at + used
        body(ints)
    }

    private static func column(_ r: inout ByteReader, _ n: Int, _ doubles: inout [Double], _ body: ([Double]) -> Void) throws(CodecError) {
        let at = r.offset
        let used = try ValueColumn.decode(UnsafeRawBufferPointer(rebasing: r.base[at...]), into: &doubles)
        guard doubles.count == n else { throw .countMismatch(expected: n, actual: doubles.count) }
        r.offset = at + used
        body(doubles)
    }

    private static func decodeSketches(
        _ r: inout ByteReader, _ n: Int, base: Int, into w: inout RollupWindows, scratch: inout Scratch
    ) throws(CodecError) {
        let bitmapAt = r.offset
        guard let bitmap = r.readBytes((n + 7) / 8) else { throw .truncated(offset: bitmapAt, what: "rollup sketch bitmap") }
        let c = try r.rollupByte("rollup sketch compression")
        guard let compression = Compression(rawValue: c) else { throw .unknownEncoding(offset: r.offset - 1, kind: c) }
        let rawLen = try r.rollupUVarint("rollup sketch section size")
        let lenAt = r.offset
        let len = try r.rollupUVarint("rollup sketch section length")
        guard let data = r.readBytes(Int(clamping: len)) else { throw .truncated(offset: lenAt, what: "rollup sketch section") }
        scratch.raw.removeAll(keepingCapacity: true)
        switch compression {
        case .none:
            guard rawLen == len else { throw .badHeader(offset: lenAt, what: "uncompressed sketch section sizes differ") }
            scratch.raw.append(contentsOf: data)
        case .zstd:
            guard rawLen <= UInt64(Zstd.maxContentSize) else { throw .badHeader(offset: lenAt, what: "sketch section size \(rawLen)") }
            try Zstd.decompress(data, expectedSize: Int(rawLen), into: &scratch.raw)
        }
        let raw = scratch.raw
        let result = raw.withUnsafeBytes { p in
            Result { () throws(CodecError) in try splitSketches(p, bitmap: bitmap, bitmapAt: bitmapAt, n, base: base, into: &w) }
        }
        try result.get()
    }

    private static func splitSketches(
        _ p: UnsafeRawBufferPointer, bitmap: UnsafeRawBufferPointer, bitmapAt: Int, _ n: Int, base: Int,
        into w: inout RollupWindows
    ) throws(CodecError) {
        var sr = ByteReader(p)
        for j in 0..<n {
            if bitmap[j / 8] & (1 << UInt8(j % 8)) != 0 {
                guard derivedSketch(count: w.count[base + j], min: w.min[base + j], max: w.max[base + j], into: &w.sketchBytes) else {
                    throw .corrupt(offset: bitmapAt, what: "window \(j) marked derivable but is not")
                }
            } else {
                let at = sr.offset
                guard let l = sr.readUVarint(), let s = sr.readBytes(Int(clamping: l)) else {
                    throw .truncated(offset: at, what: "rollup sketch \(j)")
                }
                // Validate, so that readers can merge without checks.
                guard try QuantileSketch.validate(s) == s.count else { throw .corrupt(offset: at, what: "rollup sketch \(j) has trailing bytes") }
                w.sketchBytes.append(contentsOf: s)
            }
            w.sketchEnds.append(w.sketchBytes.count)
        }
        guard sr.isAtEnd else { throw .corrupt(offset: sr.offset, what: "rollup sketch section has trailing bytes") }
    }
}

extension RollupWindows {
    /// Drops windows from `n` on (undoes a partial decode).
    mutating func truncate(to n: Int) {
        func cut<T>(_ a: inout [T]) { if a.count > n { a.removeLast(a.count - n) } }
        cut(&timestamps); cut(&count); cut(&sum); cut(&min); cut(&max)
        cut(&first); cut(&last); cut(&increase); cut(&sketchEnds)
        let end = n == 0 ? 0 : sketchEnds[n - 1]
        if sketchBytes.count > end { sketchBytes.removeLast(sketchBytes.count - end) }
    }
}

/// Throwing reads for the rollup record's header fields.
extension ByteReader {
    mutating func rollupByte(_ what: String) throws(CodecError) -> UInt8 {
        guard let b = readUInt8() else { throw .truncated(offset: offset, what: what) }
        return b
    }

    mutating func rollupUVarint(_ what: String) throws(CodecError) -> UInt64 {
        let at = offset
        guard let v = readUVarint() else { throw .truncated(offset: at, what: what) }
        return v
    }

    mutating func rollupCount() throws(CodecError) -> Int {
        let at = offset
        let n = try rollupUVarint("window count")
        guard n <= UInt64(CodecLimits.maxColumnSamples) else { throw .badHeader(offset: at, what: "window count \(n)") }
        return Int(n)
    }
}

extension RollupChunk {
    /// Bytes each part of the record for `w`'s windows `range` takes, as
    /// `encode` writes it (for size reports; docs/benchmarks.md).
    public static func partSizes(_ w: RollupWindows, _ range: Range<Int>) -> [(part: String, bytes: Int)] {
        var scratch = Scratch()
        var whole: [UInt8] = []
        encode(w, range, into: &whole, scratch: &scratch)
        var out: [(String, Int)] = []
        var buf: [UInt8] = []
        func measure(_ name: String, _ body: (inout [UInt8]) -> Void) {
            buf.removeAll(keepingCapacity: true)
            body(&buf)
            out.append((name, buf.count))
        }
        let flags = whole[1 + uvarintSize(UInt64(range.count))]
        measure("count") { b in w.count.withUnsafeBufferPointer { TimestampColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &b) } }
        measure("sum") { b in w.sum.withUnsafeBufferPointer { encodeExact(UnsafeBufferPointer(rebasing: $0[range]), into: &b, scratch: &scratch) } }
        measure("first") { b in w.first.withUnsafeBufferPointer { ValueColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &b) } }
        measure("last") { b in w.last.withUnsafeBufferPointer { ValueColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &b) } }
        if flags & minIsFirst == 0 {
            measure("min") { b in w.min.withUnsafeBufferPointer { ValueColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &b) } }
        }
        if flags & maxIsLast == 0 {
            measure("max") { b in w.max.withUnsafeBufferPointer { ValueColumn.encode(UnsafeBufferPointer(rebasing: $0[range]), into: &b) } }
        }
        if flags & increaseIsDelta == 0 {
            measure("increase") { b in w.increase.withUnsafeBufferPointer { encodeExact(UnsafeBufferPointer(rebasing: $0[range]), into: &b, scratch: &scratch) } }
        }
        measure("sketches") { b in encodeSketches(w, range, into: &b, scratch: &scratch) }
        let parts = out.reduce(0) { $0 + $1.1 }
        out.append(("header", whole.count - parts))
        return out
    }
}
