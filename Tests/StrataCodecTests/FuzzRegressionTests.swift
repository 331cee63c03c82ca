import Foundation
import Testing
import StrataCodec

/// Inputs the libFuzzer targets (Fuzz/, docs/fuzzing.md) found, replayed on
/// every `make test`. Each keeps the crashing bytes exactly (base64, as
/// libFuzzer prints them) and asserts what the fixed decoder does with them.
@Suite struct CodecFuzzRegressionTests {
    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

    /// FuzzColumnarChunk: a sketch store of six empty runs (length 0)
    /// validated inside a 17-byte buffer but not as its own 15 bytes (the
    /// bound on the number of runs assumed three bytes per run), so a stored
    /// window's validity depended on the bytes after it. Empty runs, which
    /// the encoder never writes, are now refused wherever they are.
    @Test func sketchOfEmptyRunsIsRefusedWhateverFollows() {
        let input = Self.bytes("AgYAAAAJAAAAAAAAAAAAAAA=")
        #expect(input.count == 17)
        for end in [15, 16, 17] {
            let slice = Array(input[0..<end])
            slice.withUnsafeBytes { raw in
                #expect(throws: CodecError.self, "\(end) bytes") { try QuantileSketch.validate(raw) }
                #expect(throws: CodecError.self, "\(end) bytes") { try QuantileSketch.decode(raw) }
                var s = QuantileSketch()
                let merged = s.merge(validated: raw)
                #expect(!merged)
            }
        }
    }

    /// What the encoder writes still validates with nothing after it, and
    /// with trailing bytes it reports the same size.
    @Test func encodedSketchValidatesWithOrWithoutTrailingBytes() throws {
        var s = QuantileSketch()
        for i in 0..<50 { s.add(Double(i) * 0.5 - 7) }
        s.add(0, count: 2)
        let enc = s.encoded
        let alone = try enc.withUnsafeBytes { raw throws(CodecError) in try QuantileSketch.validate(raw) }
        let padded = try (enc + [0, 0, 0, 0, 9]).withUnsafeBytes { raw throws(CodecError) in try QuantileSketch.validate(raw) }
        #expect(alone == enc.count)
        #expect(padded == enc.count)
    }
}
