// libFuzzer target: XOR (Gorilla) chunk decoding, the head's chunk format
// (docs/format/chunks.md), and resuming an appender on a chunk read back
// from disk. Invariants: decode → re-encode → decode is bit-exact; the
// iterator yields exactly `count` samples and terminates; an appender
// resumed on a decodable chunk continues it without changing its samples.
import FuzzChecks
import FuzzDriver
import StrataCodec

@_cdecl("FuzzXORChunk_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var ts: [Int64] = []
    var vs: [Double] = []
    let decoded: Int
    do {
        decoded = try XORChunk.decode(bytes, timestamps: &ts, values: &vs)
    } catch {
        require(ts.isEmpty && vs.isEmpty, "failed decode left samples behind")
        // Resuming must fail the same way, not trap.
        require((try? XORChunkAppender(resuming: Array(bytes))) == nil, "resume accepted a chunk decode rejects")
        return 0
    }
    require(decoded == ts.count && ts.count == vs.count, "decode count \(decoded) vs \(ts.count)/\(vs.count)")
    require(decoded == (try? XORChunk.count(bytes)), "header count differs from decoded count")

    // The iterator over the same bytes yields the same samples and stops.
    var it = ChunkIterator()
    do { try it.reset(xor: bytes) } catch { fatalError("iterator rejects a chunk decode accepted: \(error)") }
    var i = 0
    while it.next() {
        require(i < decoded, "iterator runs past the end")
        require(it.timestamp == ts[i] && it.value.bitPattern == vs[i].bitPattern, "iterator sample \(i) differs")
        i += 1
    }
    require(i == decoded && !it.next(), "iterator yielded \(i) of \(decoded)")
    if decoded > 0 {
        var seeker = ChunkIterator()
        try? seeker.reset(xor: bytes)
        let target = ts[decoded / 2]
        if seeker.seek(to: target) { require(seeker.timestamp >= target || !isSorted(ts), "seek landed before its target") }
    }

    // Re-encoding the decoded samples and decoding again is bit-exact
    // (the encoding round-trips any sequence, sorted or not).
    var app = XORChunkAppender()
    for j in 0..<decoded { app.append(ts[j], vs[j]) }
    let again = app.bytes
    var ts2: [Int64] = []
    var vs2: [Double] = []
    let ok = again.withUnsafeBytes { raw in (try? XORChunk.decode(raw, timestamps: &ts2, values: &vs2)) != nil }
    require(ok, "re-encoded chunk does not decode")
    require(ts2 == ts, "timestamps differ after re-encoding")
    require(vs2.map(\.bitPattern) == vs.map(\.bitPattern), "values differ after re-encoding")

    // Resuming an appender on the input continues it: one more sample
    // decodes as the old ones followed by the new one.
    if decoded < CodecLimits.maxXORSamples {
        do {
            var resumed = try XORChunkAppender(resuming: Array(bytes))
            require(resumed.count == decoded, "resumed count \(resumed.count) vs \(decoded)")
            let t = (ts.last ?? 0) &+ 15_000
            resumed.append(t, 42.5)
            let out = resumed.bytes
            var ts3: [Int64] = []
            var vs3: [Double] = []
            let ok = out.withUnsafeBytes { raw in (try? XORChunk.decode(raw, timestamps: &ts3, values: &vs3)) != nil }
            require(ok, "resumed chunk does not decode")
            require(ts3 == ts + [t], "resumed chunk timestamps differ")
            require(vs3.map(\.bitPattern) == vs.map(\.bitPattern) + [(42.5 as Double).bitPattern], "resumed chunk values differ")
        } catch {
            fatalError("resuming a decodable chunk failed: \(error)")
        }
    }
    return 0
}

func isSorted(_ ts: [Int64]) -> Bool {
    zip(ts, ts.dropFirst()).allSatisfy { $0 <= $1 }
}
