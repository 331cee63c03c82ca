import Testing
import PropertyBased
@testable import StrataCodec

@Suite struct VarintTests {
    @Test func roundTripsEdgeValues() {
        let values: [UInt64] = [0, 1, 127, 128, 255, 300, 16383, 16384, UInt64(UInt32.max), UInt64.max - 1, .max]
        var buf: [UInt8] = []
        for v in values { buf.appendUVarint(v) }
        buf.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            for v in values { #expect(r.readUVarint() == v) }
            #expect(r.isAtEnd)
            #expect(r.readUVarint() == nil)
        }
        for v in values { #expect(uvarintSize(v) == { var b: [UInt8] = []; b.appendUVarint(v); return b.count }()) }
    }

    @Test func signedRoundTrip() async {
        await propertyCheck(count: 500, input: Gen.int64(in: .min ... .max)) { v in
            var buf: [UInt8] = []
            buf.appendVarint(v)
            let back = buf.withUnsafeBytes { raw -> Int64? in var r = ByteReader(raw); return r.readVarint() }
            #expect(back == v)
        }
    }

    @Test func rejectsTruncatedAndOverlong() {
        let truncated: [UInt8] = [0x80, 0x80]
        truncated.withUnsafeBytes { raw in var r = ByteReader(raw); #expect(r.readUVarint() == nil) }
        let overlong: [UInt8] = Array(repeating: 0xff, count: 10) + [0x01]
        overlong.withUnsafeBytes { raw in var r = ByteReader(raw); #expect(r.readUVarint() == nil) }
        let tenthByteTooBig: [UInt8] = Array(repeating: 0xff, count: 9) + [0x02]
        tenthByteTooBig.withUnsafeBytes { raw in var r = ByteReader(raw); #expect(r.readUVarint() == nil) }
    }

    @Test func crc32cKnownVectors() {
        // RFC 3720 appendix B.4 test vectors for CRC32C.
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xff, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        // Incremental equals one-shot.
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = CRC32C.checksum(data)
        let part = data.withUnsafeBytes { raw in
            CRC32C.update(CRC32C.update(0, UnsafeRawBufferPointer(rebasing: raw[0..<333])), UnsafeRawBufferPointer(rebasing: raw[333...]))
        }
        #expect(whole == part)
    }
}
