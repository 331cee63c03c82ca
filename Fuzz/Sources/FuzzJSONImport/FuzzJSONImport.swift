// libFuzzer target: the JSON import body (POST /api/v1/import, issue #3;
// StrataIngest/JSON). Invariants: a failed parse leaves the batch as it
// was and points inside the input; a parsed batch, written back as JSON
// lines, parses to the same series and samples (NaN payloads aside, which
// JSON cannot carry); the depth limit is enforced, not the stack.
import FuzzChecks
import FuzzDriver
import StrataIngest
import StrataStorage

@_cdecl("FuzzJSONImport_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var parser = JSONImportParser()
    var batch = IngestBatch()
    do {
        try parser.parse(bytes, into: &batch)
    } catch {
        require(batch.isEmpty && batch.sampleCount == 0, "failed parse left data in the batch")
        require(error.offset >= 0 && error.offset <= size, "error offset \(error.offset) outside \(size) bytes")
        require(error.position.line >= 1 && error.position.column >= 1, "error position \(error.position)")
        _ = error.description
        return 0
    }
    checkShape(batch)

    // A shallow limit fails cleanly or agrees.
    var shallow = JSONImportParser(options: .init(maxDepth: 3))
    var b = IngestBatch()
    if (try? shallow.parse(bytes, into: &b)) != nil {
        require(b.series.count == batch.series.count && b.sampleCount == batch.sampleCount, "depth limit changes the result")
    }

    // Write the batch back as JSON lines and parse it again.
    var out: [UInt8] = []
    for s in batch.series {
        out += Array("{\"labels\":{".utf8)
        for (i, l) in s.labels.pairs.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(l.name, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(l.value, to: &out)
        }
        out += Array("},\"samples\":[".utf8)
        for i in s.samples {
            if i > s.samples.lowerBound { out.append(UInt8(ascii: ",")) }
            out += Array("[\(batch.timestamps[i]),\"\(jsonValue(batch.values[i]))\"]".utf8)
        }
        out += Array("]}\n".utf8)
    }
    var again = IngestBatch()
    var p2 = JSONImportParser()
    do { try p2.parse(out, into: &again) } catch {
        fatalError("invariant: written-back JSON does not parse: \(error)\n\(String(decoding: out, as: UTF8.self))")
    }
    require(again.series.count == batch.series.count, "\(again.series.count) vs \(batch.series.count) series")
    for (x, y) in zip(again.series, batch.series) {
        // The parser sorts labels by name; the written-back set is already sorted.
        require(x.labels.pairs.map(\.name) == y.labels.pairs.map(\.name)
                && x.labels.pairs.map(\.value) == y.labels.pairs.map(\.value), "labels differ")
        require(x.samples == y.samples, "series shape differs")
    }
    require(again.timestamps == batch.timestamps, "timestamps differ")
    for (x, y) in zip(again.values, batch.values) {
        require(x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN), "value \(x) vs \(y)")
    }
    return 0
}

/// Swift's shortest round-trip spelling, in the forms the parser accepts in strings.
func jsonValue(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v == .infinity { return "+Inf" }
    if v == -.infinity { return "-Inf" }
    return "\(v)"
}

func appendJSONString(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
        case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
        case 0..<0x20:
            let hex = Array("0123456789abcdef".utf8)
            out += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 15)]]
        default: out.append(b)
        }
    }
    out.append(UInt8(ascii: "\""))
}
