// libFuzzer target: the block chunk codecs — a self-contained columnar
// chunk, its timestamp and value columns on their own (shared timestamp
// columns are stored apart), and the rollup quantile sketch encoding
// (docs/format/chunks.md). Invariants: decode → re-encode → decode is
// bit-exact; a sketch that validates decodes and re-encodes to a sketch
// with the same contents.
import FuzzChecks
import FuzzDriver
import StrataCodec

@_cdecl("FuzzColumnarChunk_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    columnarChunk(bytes)
    timestampColumn(bytes)
    valueColumn(bytes)
    sketch(bytes)
    return 0
}

func columnarChunk(_ bytes: UnsafeRawBufferPointer) {
    var it = ChunkIterator()
    do { try it.reset(columnar: bytes) } catch {
        require(it.count == 0, "failed reset left samples behind")
        return
    }
    let (ts, vs) = it.withDecoded { t, v in (Array(t), Array(v)) }
    var n = 0
    while it.next() { n += 1 }
    require(n == ts.count && ts.count == vs.count, "iterator yielded \(n) of \(ts.count)/\(vs.count)")

    var out: [UInt8] = []
    ColumnarChunk.encode(timestamps: ts, values: vs, into: &out)
    var again = ChunkIterator()
    let ok = out.withUnsafeBytes { raw in (try? again.reset(.columnar, raw)) != nil }
    require(ok, "re-encoded columnar chunk does not decode")
    let (ts2, vs2) = again.withDecoded { t, v in (Array(t), Array(v)) }
    require(ts2 == ts, "timestamps differ after re-encoding")
    require(vs2.map(\.bitPattern) == vs.map(\.bitPattern), "values differ after re-encoding")
}

func timestampColumn(_ bytes: UnsafeRawBufferPointer) {
    var ts: [Int64] = []
    let used: Int
    do { used = try TimestampColumn.decode(bytes, into: &ts) } catch { return }
    require(used >= 1 && used <= bytes.count, "column claims \(used) of \(bytes.count) bytes")
    require((try? TimestampColumn.header(bytes))?.count == ts.count, "header count differs from decoded count")
    var out: [UInt8] = []
    TimestampColumn.encode(ts, into: &out)
    var ts2: [Int64] = []
    let used2 = out.withUnsafeBytes { raw in try? TimestampColumn.decode(raw, into: &ts2) }
    require(used2 == out.count, "re-encoded timestamp column does not decode to its own length")
    require(ts2 == ts, "timestamps differ after re-encoding")
}

func valueColumn(_ bytes: UnsafeRawBufferPointer) {
    var vs: [Double] = []
    let used: Int
    do { used = try ValueColumn.decode(bytes, into: &vs) } catch { return }
    require(used >= 1 && used <= bytes.count, "column claims \(used) of \(bytes.count) bytes")
    require((try? ValueColumn.header(bytes))?.count == vs.count, "header count differs from decoded count")
    var out: [UInt8] = []
    ValueColumn.encode(vs, into: &out)
    var vs2: [Double] = []
    let used2 = out.withUnsafeBytes { raw in try? ValueColumn.decode(raw, into: &vs2) }
    require(used2 == out.count, "re-encoded value column does not decode to its own length")
    require(vs2.map(\.bitPattern) == vs.map(\.bitPattern), "values differ after re-encoding")
}

func sketch(_ bytes: UnsafeRawBufferPointer) {
    let valid = try? QuantileSketch.validate(bytes)
    let decoded = try? QuantileSketch.decode(bytes)
    require((valid == nil) == (decoded == nil), "validate and decode disagree")
    guard let (s, size) = decoded else { return }
    require(size == valid, "validate and decode consumed different lengths")
    var merged = QuantileSketch()
    require(merged.merge(validated: UnsafeRawBufferPointer(rebasing: bytes[0..<size])), "merge(validated:) rejects a valid sketch")
    let enc = s.encoded
    let enc2 = merged.encoded
    require(enc == enc2, "merge(validated:) and decode build different sketches")
    let again = enc.withUnsafeBytes { raw in try? QuantileSketch.decode(raw) }
    guard let (s2, size2) = again else { fatalError("re-encoded sketch does not decode") }
    require(size2 == enc.count && s2.encoded == enc, "sketch changes after re-encoding")
}
