// Bytes per sample of each chunk encoding on the node_exporter-like
// workload (StrataTestSupport.NodeWorkload): the size figures quoted in
// docs/benchmarks.md.
//
//   swift run -c release CodecSizeReport [hosts] [scrapes]

import StrataCodec
import StrataTestSupport

let args = CommandLine.arguments
let hosts = args.count > 1 ? Int(args[1]) ?? 20 : 20
let scrapes = args.count > 2 ? Int(args[2]) ?? 480 : 480  // 2 h at 15 s
let w = NodeWorkload(hosts: hosts)
let samples = Double(w.seriesCount * scrapes)

func fmt(_ x: Double, _ digits: Int = 3) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    let r = (x * p).rounded() / p
    var s = "\(r)"
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < digits { s += String(repeating: "0", count: digits - decimals) }
    }
    return s
}

var xorBytes = 0
var colPerChunk = 0  // 120-sample columnar chunks, own timestamps
var colPerSeries = 0  // one chunk per series per block, own timestamps
var sharedTs = 0  // timestamp columns shared per host
var valueBytes = 0
var blockFile: [UInt8] = []
var kindCount: [ValueColumn.Kind: Int] = [:]
var kindBytes: [ValueColumn.Kind: Int] = [:]
var familyBytes: [String: Int] = [:]
var familySeries: [String: Int] = [:]
var valueColumns: [(labels: String, bytes: [UInt8])] = []  // in host order
var tsKinds: [TimestampColumn.Kind: Int] = [:]

for h in 0..<hosts {
    let (ts, cols) = w.hostSamples(host: h, scrapes: 0..<scrapes)
    var tcol: [UInt8] = []
    TimestampColumn.encode(ts, into: &tcol)
    sharedTs += tcol.count
    tsKinds[TimestampColumn.Kind(rawValue: tcol[0])!, default: 0] += 1
    blockFile += tcol
    for (i, vs) in cols.enumerated() {
        let s = h * NodeWorkload.seriesPerHost + i
        var lo = 0
        while lo < scrapes {
            let hi = min(lo + 120, scrapes)
            var app = XORChunkAppender()
            for j in lo..<hi { app.append(ts[j], vs[j]) }
            xorBytes += app.byteCount
            var c: [UInt8] = []
            ColumnarChunk.encode(timestamps: Array(ts[lo..<hi]), values: Array(vs[lo..<hi]), into: &c)
            colPerChunk += c.count
            lo = hi
        }
        var c: [UInt8] = []
        ColumnarChunk.encode(timestamps: ts, values: vs, into: &c)
        colPerSeries += c.count
        var v: [UInt8] = []
        ValueColumn.encode(vs, into: &v)
        valueBytes += v.count
        blockFile += v
        valueColumns.append((w.labels(series: s).description, v))
        let kind = ValueColumn.Kind(rawValue: v[0])!
        kindCount[kind, default: 0] += 1
        kindBytes[kind, default: 0] += v.count
        let name = w.labels(series: s).metricName!
        let family = name.hasPrefix("node_cpu") ? "node_cpu_seconds_total"
            : name.hasPrefix("node_load") ? "node_load*"
            : name.hasPrefix("node_memory") ? "node_memory_*_bytes"
            : name.hasPrefix("node_network") ? "node_network_*_total"
            : name.hasPrefix("node_disk") ? "node_disk_*"
            : name.hasPrefix("node_filesystem") ? "node_filesystem_*_bytes"
            : name.hasPrefix("node_procs") ? "node_procs_*"
            : name.hasPrefix("http_request_duration_seconds_bucket") ? "http_..._bucket"
            : name
        familyBytes[family, default: 0] += v.count
        familySeries[family, default: 0] += 1
    }
}

print("workload: \(hosts) hosts × 100 series, \(scrapes) scrapes at 15 s ±10 ms: \(Int(samples)) samples")
print("")
print("| encoding | bytes | bytes/sample |")
print("|---|---:|---:|")
print("| XOR head chunks (120 samples, header included) | \(xorBytes) | \(fmt(Double(xorBytes) / samples)) |")
print("| columnar chunks of 120 samples, own timestamps | \(colPerChunk) | \(fmt(Double(colPerChunk) / samples)) |")
print("| columnar, one chunk per series per block, own timestamps | \(colPerSeries) | \(fmt(Double(colPerSeries) / samples)) |")
print("| columnar, timestamps shared per host (values + \(hosts) timestamp columns) | \(valueBytes + sharedTs) | \(fmt(Double(valueBytes + sharedTs) / samples)) |")
print("|   of which timestamp columns | \(sharedTs) | \(fmt(Double(sharedTs) / samples)) |")
var lz4: [UInt8] = [], zstd: [UInt8] = []
try! LZ4.compress(blockFile, into: &lz4, level: 9)
try! Zstd.compress(blockFile, into: &zstd, level: 19)
print("| shared-timestamp columns, whole block through LZ4 HC 9 | \(lz4.count) | \(fmt(Double(lz4.count) / samples)) |")
print("| shared-timestamp columns, whole block through zstd 19 | \(zstd.count) | \(fmt(Double(zstd.count) / samples)) |")
// A block writer could compress its chunk file in segments (so one series
// is still read by inflating a few KiB): how much that buys, with series in
// host order and in label order (the index's order).
func segmented(_ cols: [[UInt8]], segment: Int, zstd: Bool) -> Int {
    var total = 0
    var cur: [UInt8] = []
    func flush() {
        if cur.isEmpty { return }
        var z: [UInt8] = []
        if zstd { try! Zstd.compress(cur, into: &z, level: 19) } else { try! LZ4.compress(cur, into: &z, level: 9) }
        total += min(z.count, cur.count)
        cur.removeAll(keepingCapacity: true)
    }
    for c in cols {
        cur += c
        if cur.count >= segment { flush() }
    }
    flush()
    return total
}
// Identical value columns (a histogram's _count and +Inf bucket, loopback
// receive and transmit) stored once, as shared timestamp columns are.
var distinct = Set<[UInt8]>()
var dedupBytes = sharedTs
for c in valueColumns where distinct.insert(c.bytes).inserted { dedupBytes += c.bytes.count }
print("| shared-timestamp columns, identical value columns stored once (\(valueColumns.count - distinct.count) of \(valueColumns.count)) | \(dedupBytes) | \(fmt(Double(dedupBytes) / samples)) |")
let hostOrder = valueColumns.map(\.bytes)
let labelOrder = valueColumns.sorted { $0.labels < $1.labels }.map(\.bytes)
for seg in [4096, 16384, 65536] {
    for (name, zstd) in [("LZ4 HC 9", false), ("zstd 19", true)] {
        let h = segmented(hostOrder, segment: seg, zstd: zstd) + sharedTs
        let l = segmented(labelOrder, segment: seg, zstd: zstd) + sharedTs
        print("| shared-timestamp columns, \(name) per \(seg / 1024) KiB segment: host order / label order | \(h) / \(l) | \(fmt(Double(h) / samples)) / \(fmt(Double(l) / samples)) |")
    }
}
print("")
print("timestamp column kinds: " + tsKinds.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
print("")
print("| value column kind | columns | bytes/sample |")
print("|---|---:|---:|")
for k in ValueColumn.Kind.allCases where kindCount[k] != nil {
    print("| \(k) | \(kindCount[k]!) | \(fmt(Double(kindBytes[k]!) / Double(kindCount[k]! * scrapes))) |")
}
print("")
print("| metric family | series/host | value bytes/sample | share of value bytes |")
print("|---|---:|---:|---:|")
for (f, b) in familyBytes.sorted(by: { $0.value > $1.value }) {
    let n = familySeries[f]!
    print("| \(f) | \(n / hosts) | \(fmt(Double(b) / Double(n * scrapes))) | \(fmt(100 * Double(b) / Double(valueBytes), 1))% |")
}
