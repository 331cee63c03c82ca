// Writes the seed corpora of the fuzz targets (Fuzz/Corpus/<target>/):
// small valid inputs made with Strata's own encoders, so every run starts
// from inputs that reach deep into the decoders. Deterministic: running it
// again rewrites the same files. `make fuzz-seeds` runs it.
import StrataCodec
import StrataIngest
import StrataStorage

#if canImport(Glibc)
import Glibc
#endif

@main
struct SeedCorpus {
    static func main() throws {
        let args = CommandLine.arguments
        let root = args.count > 1 ? args[1] : "Fuzz/Corpus"
        let testdata = args.count > 2 ? args[2] : "Tests/StrataQueryTests/testdata"
        write(root, "FuzzRemoteWrite", remoteWriteSeeds())
        write(root, "FuzzSnappy", snappySeeds())
        write(root, "FuzzLineProtocol", lineProtocolSeeds().map { Array($0.utf8) })
        write(root, "FuzzJSONImport", jsonSeeds().map { Array($0.utf8) })
        write(root, "FuzzPromQL", promQLSeeds(testdata).map { Array($0.utf8) })
        write(root, "FuzzWALRecord", walSeeds())
        write(root, "FuzzXORChunk", xorSeeds())
        write(root, "FuzzColumnarChunk", columnarSeeds())
        write(root, "FuzzRollupChunk", rollupSeeds())
    }

    static func write(_ root: String, _ target: String, _ seeds: [[UInt8]]) {
        let dir = root + "/" + target
        mkdir(root, 0o755)
        mkdir(dir, 0o755)
        for (i, s) in seeds.enumerated() {
            let path = dir + "/seed-" + String(i + 1).leftPadded(3)
            guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
            if !s.isEmpty { _ = s.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) } }
            fclose(f)
        }
        print("\(target): \(seeds.count) seeds, \(seeds.reduce(0) { $0 + $1.count }) bytes")
    }

    // MARK: remote write and snappy

    static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

    static func batches() -> [IngestBatch] {
        var one = IngestBatch()
        one.append(labels: Labels(["__name__": "up", "job": "node", "instance": "localhost:9100"]), timestamp: 1_700_000_000_000, value: 1)

        var several = IngestBatch()
        let t0: Int64 = 1_700_000_000_000
        several.append(labels: Labels(["__name__": "node_cpu_seconds_total", "cpu": "0", "mode": "idle"]),
                       timestamps: (0..<5).map { t0 + Int64($0) * 15_000 }, values: [10, 25.5, 40.25, 55, 70.125])
        several.append(labels: Labels(["__name__": "node_load1"]), timestamps: [t0, t0 + 15_000, t0 + 30_000], values: [0.5, .nan, staleNaN])
        several.append(labels: Labels(["__name__": "weird", "le": "+Inf", "path": "/a b/ç"]), timestamps: [-5, 0, .max], values: [.infinity, -.infinity, -0.0])
        several.appendMetadata(MetricMetadata(type: .counter, familyName: "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.", unit: "seconds"))
        several.appendMetadata(MetricMetadata(type: .gauge, familyName: "node_load1", help: "1m load average."))

        var unsorted = IngestBatch()
        unsorted.append(labels: Labels(sortedUnchecked: [Label("job", "x"), Label("__name__", "m")]), timestamp: 1, value: 2)
        return [one, several, unsorted]
    }

    static func remoteWriteSeeds() -> [[UInt8]] {
        var seeds = batches().map { b -> [UInt8] in
            var out: [UInt8] = []
            WriteRequestEncoder.encode(b, into: &out)
            return out
        }
        // A TimeSeries with an exemplar (field 3), a histogram (field 4) and an
        // unknown field, which the decoder skips and counts.
        let label = pbLen(1, pbStr(1, "__name__") + pbStr(2, "h"))
        let sample = pbLen(2, pbTag(1, 1) + [0, 0, 0, 0, 0, 0, 0xf0, 0x3f] + pbTag(2, 0) + pbVarint(1000))
        let exemplar = pbLen(3, pbLen(1, pbStr(1, "trace_id") + pbStr(2, "abc")))
        let histogram = pbLen(4, pbTag(1, 0) + pbVarint(3))
        let unknown = pbTag(9, 5) + [1, 2, 3, 4]
        seeds.append(pbLen(1, label + sample + exemplar + histogram + unknown))
        seeds.append([])
        return seeds
    }

    static func snappySeeds() -> [[UInt8]] {
        var raw = remoteWriteSeeds()
        raw.append(Array(String(repeating: "node_cpu_seconds_total{cpu=\"0\"} ", count: 20).utf8))
        raw.append([UInt8](repeating: 0, count: 300))
        return raw.map { r in
            var out: [UInt8] = []
            Snappy.compress(r, into: &out)
            return out
        }
    }

    static func pbVarint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        out.appendUVarint(v)
        return out
    }
    static func pbTag(_ field: Int, _ wire: UInt8) -> [UInt8] { pbVarint(UInt64(field) << 3 | UInt64(wire)) }
    static func pbLen(_ field: Int, _ payload: [UInt8]) -> [UInt8] { pbTag(field, 2) + pbVarint(UInt64(payload.count)) + payload }
    static func pbStr(_ field: Int, _ s: String) -> [UInt8] { pbLen(field, Array(s.utf8)) }

    // MARK: text formats

    static func lineProtocolSeeds() -> [String] {
        [
            "cpu,host=server01,region=us-west usage_idle=92.5,usage_user=3.25 1465839830100400200\n",
            "measurement,tag=v,tag2=v2 field=1.5,f2=2i,f3=3u,f4=true,f5=\"str\" 1465839830100400200",
            "m a=-1.5e3,b=-9223372036854775808i,c=18446744073709551615u,d=t,e=T,f=True,g=TRUE,h=f,i=F,j=false,k=False,l=FALSE,m=0,n=.5,o=+2\n",
            "# comment\n\nweather,location=us\\,midwest,sea\\ son=sum\\=mer temp\\ c=82 1465839830100400200\r\nweather temp=81\n",
            "disk,path=/var/lib used=1i,free=2u 1700000000\nbad line here\nnet bytes=3 -1\n",
            "s msg=\"multi\nline \\\"quoted\\\" \\\\ string\",v=1 1700000000000000000\n",
        ]
    }

    static func jsonSeeds() -> [String] {
        [
            #"{"series":[{"labels":{"job":"a","__name__":"x"},"samples":[[1700000000000, 1.5], [1700000015000, "NaN"], [1700000030000, "+Inf"], [1700000045000, "-Inf"], [1700000060000, "Inf"], [1700000075000, -2e-3]]},{"samples":[], "labels":{"__name__":"y"}}]}"#,
            "{\"labels\":{\"__name__\":\"a\"},\"samples\":[[1,1]]}\n{\"labels\":{\"__name__\":\"b\"},\"samples\":[[2,2]]}\n",
            #"{"metric":{"__name__":"c"},"values":[3,"4.5"],"timestamps":[3,4],"extra":{"nested":[true,false,null,{"k":[]}]}}"#,
            #"[{"labels":{"__name__":"a"},"samples":[]},{"series":[]}]"#,
            #"{"labels":{"__name__":"m","k\"ey":"a\\b\/c\n\t\r\b\f \u00e9 \u2603 \ud834\udd1e"},"samples":[[1.7e12,1]]}"#,
        ]
    }

    /// The expressions of the PromQL test files (`eval … <expr>` lines), and a few more.
    static func promQLSeeds(_ testdata: String) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        func add(_ q: String) { if seen.insert(q).inserted { out.append(q) } }
        for name in ["aggregations", "functions_labels", "functions_math", "functions_misc", "functions_over_time",
                     "functions_rate", "functions_time", "histogram_quantile", "operators"] {
            guard let text = readText(testdata + "/" + name + ".test") else { continue }
            for line in text.split(separator: "\n") where line.hasPrefix("eval") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                // eval[_x] instant at T <expr> | eval[_x] range from A to B step S <expr>
                let skip = words.count > 1 && words[1] == "instant" ? 4 : 8
                guard words.count > skip else { continue }
                add(words[skip...].joined(separator: " "))
            }
        }
        for q in [
            #"sum by (job) (rate(http_requests_total{job=~"api|web", code!="500"}[5m] offset 1h @ 1700000000))"#,
            "max_over_time(deriv(rate(x[1m])[5m:30s])[1h:]) > bool 0.5 unless on(a) group_left(b) y",
            "-(+1) ^ 2 % 3 and vector(time()) or label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")",
            "topk(3, count_values(\"v\", {__name__=~\"n.+\"})) @ start() offset -5m",
            "histogram_quantile(0.9, sum without (instance) (rate(b_bucket[5m])))",
            "0x1F + 1e3 - .5 * Inf / NaN # comment\n",
            "{job='x', `y`=\"\\u00e9\\x41\"}[1h30m]",
        ] { add(q) }
        return out
    }

    static func readText(_ path: String) -> String? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { fread($0.baseAddress, 1, 4096, f) }
            if n <= 0 { break }
            bytes += buf[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: WAL

    static func walRecords() -> [[UInt8]] {
        var series: [UInt8] = []
        WALRecord.encodeSeries([(ref: 1, labels: Labels(["__name__": "up", "job": "a"])),
                                (ref: 7, labels: Labels(["__name__": "x", "le": "0.5"]))], into: &series)
        var samples: [UInt8] = []
        let refs: [SeriesRef] = [1, 7, 1, 3]
        let ts: [Int64] = [1_700_000_000_000, 1_700_000_000_000, 1_700_000_015_000, 5]
        let vs: [Double] = [1, staleNaN, 2.5, -.infinity]
        refs.withUnsafeBufferPointer { r in ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in
            WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &samples)
        } } }
        var tombstones: [UInt8] = []
        WALRecord.encodeTombstones([(ref: 1, mint: 0, maxt: 1_700_000_000_000), (ref: 9, mint: .min, maxt: .max)], into: &tombstones)
        return [series, samples, tombstones]
    }

    static func fragment(_ kind: UInt8, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [kind]
        out.appendUInt32LE(UInt32(payload.count))
        let crc = CRC32C.update(out.withUnsafeBytes { CRC32C.checksum($0) }, payload.withUnsafeBytes { $0 })
        out.appendUInt32LE(crc)
        return out + payload
    }

    static func walSeeds() -> [[UInt8]] {
        let records = walRecords()
        // Segment header: magic "SWAL", version 1, 3 reserved bytes (docs/format/wal.md).
        let header = Array("SWAL".utf8) + [1, 0, 0, 0]
        var full = header
        for r in records { full += fragment(1, r) }
        // The samples record split into first / middle / last fragments.
        let s = records[1]
        let a = s.count / 3, b = 2 * s.count / 3
        let split = header + fragment(1, records[0]) + fragment(2, Array(s[0..<a])) + fragment(3, Array(s[a..<b])) + fragment(4, Array(s[b...]))
        // The hand-made framing must be what the reader accepts.
        for (segment, expected) in [(full, 3), (split, 2)] {
            var scratch: [UInt8] = []
            let outcome = segment.withUnsafeBytes { raw in
                WALSegmentReader.read(segment: 0, bytes: raw, scratch: &scratch) { _ throws(WALCorruption) in }
            }
            precondition(outcome.corruption == nil && outcome.records == expected, "seed segment: \(outcome)")
        }
        return records + [full, split, header]
    }

    // MARK: chunks

    static func sampleSets() -> [(ts: [Int64], vs: [Double])] {
        let t0: Int64 = 1_700_000_000_000
        var sets: [(ts: [Int64], vs: [Double])] = []
        sets.append(([], []))
        sets.append(([t0], [1]))
        sets.append(((0..<120).map { t0 + Int64($0) * 15_000 }, (0..<120).map { Double($0) * 10 }))
        var jitter: [Int64] = []
        var t = t0
        for i in 0..<60 { t += 15_000 + Int64((i * 7919) % 41) - 20; jitter.append(t) }
        sets.append((jitter, (0..<60).map { 0.1 * Double($0 * $0) }))
        sets.append(((0..<30).map { t0 + Int64($0) * 1_000 }, (0..<30).map { $0 % 7 == 0 ? staleNaN : Double($0).squareRoot() }))
        sets.append(((0..<20).map { t0 + Int64($0) * 60_000 }, [Double](repeating: 42, count: 20)))
        sets.append(((0..<16).map { t0 + Int64($0 * $0) * 997 }, (0..<16).map { Double($0) * 1.25 - 3 }))
        sets.append(([.min, -1, 0, 1, .max], [.infinity, -.infinity, .nan, -0.0, .leastNonzeroMagnitude]))
        return sets
    }

    static func xorSeeds() -> [[UInt8]] {
        sampleSets().map { set in
            var app = XORChunkAppender()
            for (t, v) in zip(set.ts, set.vs) { app.append(t, v) }
            return app.bytes
        }
    }

    static func columnarSeeds() -> [[UInt8]] {
        var seeds = sampleSets().map { set -> [UInt8] in
            var out: [UInt8] = []
            ColumnarChunk.encode(timestamps: set.ts, values: set.vs, into: &out)
            return out
        }
        // Bare columns (block writers store shared timestamp columns apart).
        for set in sampleSets().dropFirst(2).prefix(2) {
            var ts: [UInt8] = []
            TimestampColumn.encode(set.ts, into: &ts)
            var vs: [UInt8] = []
            ValueColumn.encode(set.vs, into: &vs)
            seeds += [ts, vs]
        }
        var sketch = QuantileSketch()
        for i in 0..<200 { sketch.add(Double(i % 37) * 0.75 - 5) }
        sketch.add(0, count: 3)
        seeds.append(sketch.encoded)
        return seeds
    }
}

extension SeedCorpus {
    /// Rollup records of 5-minute windows built from the chunk sample sets
    /// (sorted, distinct timestamps only), plus a long varied series whose
    /// sketch section is large enough to be zstd-compressed.
    static func rollupSeeds() -> [[UInt8]] {
        // (The builder makes one window per 5 minutes of the span: skip the extreme-timestamp set.)
        var sets = sampleSets().filter { set in
            zip(set.ts, set.ts.dropFirst()).allSatisfy { $0 < $1 } && (set.ts.first ?? 0) > 0
        }
        let t0: Int64 = 1_700_000_000_000
        sets.append(((0..<2000).map { t0 + Int64($0) * 10_000 }, (0..<2000).map { Double(($0 * 7919) % 1000) * 0.37 - 50 }))
        var scratch = RollupChunk.Scratch()
        return sets.compactMap { set -> [UInt8]? in
            var builder = RollupBuilder(resolutions: [300_000])
            set.ts.withUnsafeBufferPointer { t in set.vs.withUnsafeBufferPointer { v in builder.build(timestamps: t, values: v) } }
            let w = builder.windows[0]
            guard w.windows > 0 else { return nil }
            var out: [UInt8] = []
            RollupChunk.encode(w, 0..<w.windows, into: &out, scratch: &scratch)
            return out
        }
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
