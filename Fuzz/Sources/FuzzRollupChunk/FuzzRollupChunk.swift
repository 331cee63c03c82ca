// libFuzzer target: the rollup record of rollup blocks, a columnar chunk
// of every per-window aggregate with an optionally zstd-compressed sketch
// section (StrataStorage/Block/RollupChunk.swift, docs/format/rollups.md).
// The window starts come from the block's timestamp column, so the harness
// supplies as many as the record declares. Invariants: windows are
// appended whole or not at all (a failed decode leaves the windows already
// there untouched); every decoded sketch is valid; decode → encode →
// decode is bit-exact.
import FuzzChecks
import FuzzDriver
import StrataCodec
import StrataStorage

@_cdecl("FuzzRollupChunk_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

/// Window counts beyond this are refused by the harness (not the decoder)
/// to keep executions fast.
let maxWindows = 4096

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // kind u8 │ n uvarint: read n to supply that many window starts.
    var n = 0
    var shift = 0
    var i = 1
    while i < size && shift < 28 {
        n |= Int(bytes[i] & 0x7f) << shift
        shift += 7
        if bytes[i] < 0x80 { break }
        i += 1
    }
    guard n <= maxWindows else { return 0 }
    let starts = (0..<n).map { Int64($0) * 300_000 }
    var scratch = RollupChunk.Scratch()

    // A window already present must survive a failed decode unchanged.
    var w = RollupWindows()
    w.timestamps = [-1]; w.count = [1]; w.sum = [2]; w.min = [2]; w.max = [2]
    w.first = [2]; w.last = [2]; w.increase = [0]
    QuantileSketch.encodeSingleBucket(2, count: 1, into: &w.sketchBytes)
    w.sketchEnds = [w.sketchBytes.count]
    let before = snapshot(w)
    let ok = starts.withUnsafeBufferPointer { ts in
        (try? RollupChunk.decode(bytes, timestamps: ts, into: &w, scratch: &scratch)) != nil
    }
    guard ok else {
        require(snapshot(w) == before, "failed decode changed the windows already there")
        return 0
    }
    checkShape(w, windows: n + 1)
    var head = RollupWindows()
    head.append(w, 0)
    require(snapshot(head) == before && w.timestamps[1...].elementsEqual(starts), "decode changed earlier windows or the starts")
    for j in 0..<w.windows {
        let r = w.sketchRange(j)
        let valid = w.sketchBytes.withUnsafeBytes { raw in try? QuantileSketch.validate(UnsafeRawBufferPointer(rebasing: raw[r])) }
        require(r.isEmpty || valid == r.count, "window \(j): stored sketch does not validate")
        _ = w.sketch(j).quantile(0.5)
    }

    // Round trip of the decoded windows (not the harness's first one).
    var out: [UInt8] = []
    RollupChunk.encode(w, 1..<(n + 1), into: &out, scratch: &scratch)
    var again = RollupWindows()
    let ok2 = out.withUnsafeBytes { raw in
        starts.withUnsafeBufferPointer { ts in
            (try? RollupChunk.decode(raw, timestamps: ts, into: &again, scratch: &scratch)) != nil
        }
    }
    require(ok2, "re-encoded rollup record does not decode")
    var tail = RollupWindows()
    for j in 1..<(n + 1) { tail.append(w, j) }
    require(snapshot(again) == snapshot(tail), "windows differ after re-encoding")
    return 0
}

/// Every field as bits, for exact comparison (NaN payloads included).
func snapshot(_ w: RollupWindows) -> [[UInt64]] {
    func bits(_ a: [Double]) -> [UInt64] { a.map(\.bitPattern) }
    return [w.timestamps.map { UInt64(bitPattern: $0) }, w.count.map { UInt64(bitPattern: $0) }, bits(w.sum),
            bits(w.min), bits(w.max), bits(w.first), bits(w.last), bits(w.increase),
            w.sketchBytes.map { UInt64($0) }, w.sketchEnds.map { UInt64($0) }]
}

func checkShape(_ w: RollupWindows, windows n: Int) {
    let counts = [w.timestamps.count, w.count.count, w.sum.count, w.min.count, w.max.count,
                  w.first.count, w.last.count, w.increase.count, w.sketchEnds.count]
    require(counts.allSatisfy { $0 == n }, "column lengths \(counts), expected \(n)")
    require(zip(w.sketchEnds, w.sketchEnds.dropFirst()).allSatisfy { $0 <= $1 } && w.sketchEnds.last == w.sketchBytes.count,
            "sketch ends out of order")
}
