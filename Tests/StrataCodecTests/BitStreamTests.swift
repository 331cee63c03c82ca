import Testing
import PropertyBased
@testable import StrataCodec

@Suite struct BitStreamTests {
    @Test func writesMostSignificantBitFirst() {
        var w = BitWriter()
        w.write(0b1, bits: 1)
        w.write(0b0110, bits: 4)
        w.write(0xABC, bits: 12)
        #expect(w.bitCount == 17)
        #expect(w.bytes == [0b1011_0101, 0b0101_1110, 0b0000_0000])
    }

    @Test func randomFieldsRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 0...500)) { seed, n in
            var rng = TestRandom(seed: seed)
            var fields: [(UInt64, Int)] = []
            var w = BitWriter()
            for _ in 0..<n {
                let bits = Int(rng.next() % 65)
                let v = bits == 0 ? 0 : rng.next() & (UInt64.max >> (64 - bits))
                fields.append((v, bits))
                // High garbage bits must be ignored.
                w.write(v | (bits < 64 ? rng.next() << bits : 0), bits: bits)
            }
            let total = fields.reduce(0) { $0 + $1.1 }
            #expect(w.bitCount == total)
            let bytes = w.bytes
            #expect(bytes.count == (total + 7) / 8)
            bytes.withUnsafeBytes { raw in
                var r = BitReader(raw)
                for (v, bits) in fields { #expect(r.read(bits: bits) == v) }
                #expect(r.bitPosition == total)
                #expect(!r.isOverrun)
            }
            // Continuing from the middle rewrites the rest identically.
            let keep = total / 2
            var c = BitWriter(continuing: bytes[...], bitCount: keep)
            bytes.withUnsafeBytes { raw in
                var r = BitReader(raw)
                _ = r.read(bits: keep % 64)
                for _ in 0..<(keep / 64) { _ = r.read(bits: 64) }
                var left = total - keep
                while left > 0 {
                    let b = min(left, 64)
                    c.write(r.read(bits: b), bits: b)
                    left -= b
                }
            }
            #expect(c.finish() == bytes)
        }
    }

    @Test func readingPastTheEndYieldsZerosAndFlagsOverrun() {
        ([0xff, 0x80] as [UInt8]).withUnsafeBytes { raw in
            var r = BitReader(raw)
            #expect(r.read(bits: 9) == 0x1ff)
            #expect(!r.isOverrun)
            #expect(r.read(bits: 7) == 0)
            #expect(!r.isOverrun)
            #expect(r.read(bits: 64) == 0)
            #expect(r.isOverrun)
        }
        UnsafeRawBufferPointer(start: nil, count: 0).withMemoryRebound(to: UInt8.self) { _ in
            var r = BitReader(UnsafeRawBufferPointer(start: nil, count: 0))
            #expect(r.read(bits: 3) == 0)
            #expect(r.isOverrun)
        }
    }
}
