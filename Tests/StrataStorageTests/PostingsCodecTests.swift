import Testing
import PropertyBased
@testable import StrataStorage

@Suite struct PostingsCodecTests {
    static func roundTrip(_ ids: [UInt32]) throws -> ([UInt32], Int, Int) {
        var bytes: [UInt8] = [0xAA]  // encode appends: keep a prefix byte
        PostingsCodec.encode(ids, into: &bytes)
        var out: [UInt32] = [123, 456]
        let used = try bytes.withUnsafeBytes { raw in
            try PostingsCodec.decode(from: UnsafeRawBufferPointer(rebasing: raw[1...]), into: &out)
        }
        return (out, used, bytes.count - 1)
    }

    /// Gaps from tiny to huge, with runs of consecutive ids.
    static let idLists = zip(Gen.uint32(in: 0...1000).array(of: 0...700),
                             Gen.int(in: 0...4).map { [UInt32(1), 3, 300, 70_000, 6_000_000][$0] },
                             Gen.uint32(in: 0...UInt32.max))
        .map { t -> [UInt32] in
            let (gaps, scale, start) = t
            var ids: [UInt32] = []
            var cur = UInt64(start)
            for g in gaps {
                // ~1 in 3 gaps is 1 (consecutive ids), the rest scaled.
                let step: UInt64 = g % 3 == 0 ? 1 : UInt64(g) * UInt64(scale) / 1000 + 1
                if cur > UInt64(UInt32.max) { break }
                ids.append(UInt32(cur))
                cur += step
            }
            return ids
        }

    @Test func roundTripsRandomLists() async {
        await propertyCheck(count: 300, input: Self.idLists) { ids in
            let (back, used, total) = try Self.roundTrip(ids)
            #expect(back == ids)
            #expect(used == total)
        }
    }

    @Test func roundTripsEdges() throws {
        for ids: [UInt32] in [[], [0], [UInt32.max], [0, UInt32.max], Array(0..<129), Array(0..<128), Array(0..<130),
                              Array(stride(from: 5, to: 100_000, by: 7)), [1, 2, 4, 8, 16, 1 << 31, UInt32.max - 1]] {
            let (back, used, total) = try Self.roundTrip(ids)
            #expect(back == ids)
            #expect(used == total)
        }
    }

    @Test func denseRunsAreTiny() {
        // 1M consecutive ids: 128 ids per 2-byte block header at width 0.
        var bytes: [UInt8] = []
        PostingsCodec.encode(Array(0..<1_000_000), into: &bytes)
        #expect(bytes.count < 16_000)
        // A regular stride is width 0 too.
        bytes.removeAll()
        PostingsCodec.encode(Array(stride(from: 0, to: 300_000, by: 3)), into: &bytes)
        #expect(bytes.count < 2_000)
    }

    /// Pinned bytes: the format is on disk, so it must not drift.
    @Test func pinnedEncoding() throws {
        var bytes: [UInt8] = []
        PostingsCodec.encode([5, 6, 7, 10, 300], into: &bytes)
        // tag 1, count 5, first 5; gaps-1 = 0,0,2,289: min 0, width 9 (289 < 512);
        // packed LSB-first 9-bit fields 0,0,2,289: 2<<18 | 289<<27 = 0x9_0808_0000,
        // 36 bits → 5 bytes little-endian.
        #expect(bytes == [0x01, 0x05, 0x05, 0x00, 0x09, 0x00, 0x00, 0x08, 0x08, 0x09])
        var empty: [UInt8] = []
        PostingsCodec.encode([], into: &empty)
        #expect(empty == [0x01, 0x00])
        var run: [UInt8] = []
        PostingsCodec.encode([7, 8, 9], into: &run)
        #expect(run == [0x01, 0x03, 0x07, 0x00, 0x00])
    }

    @Test func listsBackToBack() throws {
        var bytes: [UInt8] = []
        let a: [UInt32] = [1, 5, 9], b: [UInt32] = Array(100..<400), c: [UInt32] = []
        PostingsCodec.encode(a, into: &bytes)
        PostingsCodec.encode(b, into: &bytes)
        PostingsCodec.encode(c, into: &bytes)
        try bytes.withUnsafeBytes { raw in
            var out: [UInt32] = []
            var at = 0
            for expected in [a, b, c] {
                at += try PostingsCodec.decode(from: UnsafeRawBufferPointer(rebasing: raw[at...]), into: &out)
                #expect(out == expected)
            }
            #expect(at == raw.count)
        }
    }

    @Test func everyTruncationIsAnError() async {
        await propertyCheck(count: 40, input: Self.idLists) { ids in
            guard !ids.isEmpty else { return }
            var bytes: [UInt8] = []
            PostingsCodec.encode(ids, into: &bytes)
            for cut in 0..<bytes.count {
                let prefix = Array(bytes[..<cut])
                var out: [UInt32] = [1]
                #expect(throws: PostingsDecodeError.self) {
                    try prefix.withUnsafeBytes { try PostingsCodec.decode(from: $0, into: &out) }
                }
                #expect(out.isEmpty || out == [1])
            }
        }
    }

    @Test func garbageNeverCrashes() async {
        await propertyCheck(count: 2000, input: Gen.uint8(in: 0...255).array(of: 0...64), Gen.bool) { raw, fixTag in
            var bytes = raw
            if fixTag && !bytes.isEmpty { bytes[0] = PostingsCodec.formatV1 }
            var out: [UInt32] = []
            do {
                let used = try bytes.withUnsafeBytes { try PostingsCodec.decode(from: $0, into: &out) }
                #expect(used <= bytes.count)
                #expect(Postings.isSortedUnique(out))
            } catch {
                #expect(out.isEmpty)
            }
        }
    }

    @Test func specificErrors() {
        func decode(_ b: [UInt8]) throws {
            var out: [UInt32] = []
            try b.withUnsafeBytes { _ = try PostingsCodec.decode(from: $0, into: &out) }
        }
        #expect(throws: PostingsDecodeError.truncated(offset: 0)) { try decode([]) }
        #expect(throws: PostingsDecodeError.unknownFormat(tag: 2, offset: 0)) { try decode([2, 0]) }
        #expect(throws: PostingsDecodeError.truncated(offset: 1)) { try decode([1]) }
        // 1000 ids cannot fit in 3 bytes.
        #expect(throws: PostingsDecodeError.implausibleCount(1000, offset: 1)) { try decode([1, 0xE8, 0x07, 0, 0, 0]) }
        // First id above 32 bits.
        #expect(throws: PostingsDecodeError.idOverflow(offset: 2)) { try decode([1, 1, 0x80, 0x80, 0x80, 0x80, 0x10]) }
        // Width 33.
        #expect(throws: PostingsDecodeError.invalidBitWidth(33, offset: 4)) { try decode([1, 2, 0, 0, 33, 0, 0, 0, 0, 0]) }
        // first = UInt32.max, then a gap: overflow.
        #expect(throws: PostingsDecodeError.idOverflow(offset: 7)) { try decode([1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0, 0]) }
        #expect(PostingsDecodeError.truncated(offset: 3).description == "postings truncated at offset 3")
    }
}
