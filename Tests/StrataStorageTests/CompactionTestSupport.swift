#if canImport(Glibc)
import Glibc
#endif
import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// 2023-12-31T00:00:00Z: a multiple of 3 days, so aligned to every block range and rollup window.
let epoch: Int64 = 1_703_980_800_000

/// `n` series scraped every `step` over [from, to): even series are counters
/// (with a reset now and then), odd ones noisy positive gauges.
func generatedSeries(_ n: Int, from: Int64, to: Int64, step: Int64 = 15_000, seed: UInt64 = 1,
                     name: String = "m") -> [(Labels, [Int64], [Double])] {
    var out: [(Labels, [Int64], [Double])] = []
    for i in 0..<n {
        var rng = WorkloadRandom(seed: seed, UInt64(i))
        var ts: [Int64] = [], vs: [Double] = []
        var counter = Double(rng.int(0...1000))
        var t = from + rng.int(0...(step - 1))
        while t < to {
            ts.append(t)
            if i % 2 == 0 {
                counter += Double(rng.int(0...50))
                if rng.next() % 500 == 0 { counter = Double(rng.int(0...10)) }
                vs.append(counter)
            } else {
                vs.append(max(0.001, 0.25 + rng.normal() * 0.05 + Double(i) * 0.01).roundedTo(4))
            }
            t += step
        }
        let labels = Labels(sorting: [Label("__name__", name), Label("i", "\(i)"), Label("host", "h\(i % 3)")])
        out.append((labels, ts, vs))
    }
    return out
}

extension Double {
    func roundedTo(_ digits: Int) -> Double {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}

/// The samples of `data` as `allSamples` returns them.
func expectedSamples(_ data: [(Labels, [Int64], [Double])]) -> [Labels: [(Int64, Double)]] {
    var out: [Labels: [(Int64, Double)]] = [:]
    for (l, ts, vs) in data { out[l, default: []].append(contentsOf: zip(ts, vs)) }
    for (l, s) in out {
        // Later samples win on equal timestamps, as for imports.
        var byT: [Int64: Double] = [:]
        for (t, v) in s { byT[t] = v }
        out[l] = byT.keys.sorted().map { ($0, byT[$0]!) }
    }
    return out
}

/// Raw blocks overlapping each other (compaction's promise is that none do).
func overlappingRawBlocks(_ db: Database) -> [(String, String)] {
    let raw = db.blocks.filter { $0.resolution == 0 }.sorted { $0.minTime < $1.minTime }
    var out: [(String, String)] = []
    for (a, b) in zip(raw, raw.dropFirst()) where a.maxTime > b.minTime { out.append((a.id, b.id)) }
    return out
}

/// Rollup blocks of one resolution overlapping each other.
func overlappingRollupBlocks(_ db: Database) -> [(String, String)] {
    var out: [(String, String)] = []
    for r in Set(db.blocks.map(\.resolution)) where r != 0 {
        let bs = db.blocks.filter { $0.resolution == r }.sorted { $0.minTime < $1.minTime }
        for (a, b) in zip(bs, bs.dropFirst()) where a.maxTime > b.minTime { out.append((a.id, b.id)) }
    }
    return out
}

/// Sum of all values, in label and time order (so it does not depend on dictionary order).
func sumOfValues(_ s: [Labels: [(Int64, Double)]]) -> Double {
    s.keys.sorted().reduce(0) { acc, l in s[l]!.reduce(acc) { $0 + $1.1 } }
}

func sampleCount(_ s: [Labels: [(Int64, Double)]]) -> Int { s.values.reduce(0) { $0 + $1.count } }

let anyMetric = try! Matcher(.regexMatch, "__name__", ".+")

/// Options with small, test-friendly defaults.
func testOptions(retention: Int64 = 30 * day) -> DatabaseOptions {
    var o = DatabaseOptions()
    o.retention = retention
    return o
}

/// A temporary directory on tmpfs (/dev/shm) when there is one: the crash
/// tests run hundreds of compactions whose fsyncs would otherwise dominate,
/// and what they test (fault injection at each file operation) does not
/// depend on the disk.
struct MemoryTempDirectory {
    let path: String

    init(_ prefix: String) throws {
        let base = FileIO.isDirectory("/dev/shm") && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard made else { throw IOError("mkdtemp", base, errno: errno) }
        path = String(cString: template)
    }

    func sub(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileIO.removeTree(path) }
}

/// `sameSamples`, reporting the first difference briefly instead of both dictionaries.
func expectSameSamples(_ expected: [Labels: [(Int64, Double)]], _ got: [Labels: [(Int64, Double)]],
                       _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    if sameSamples(expected, got) { return }
    var what = "series \(expected.count) vs \(got.count)"
    for l in Set(expected.keys).union(got.keys).sorted() {
        let a = expected[l] ?? [], b = got[l] ?? []
        if a.count != b.count {
            what = "\(l): \(a.count) vs \(b.count) samples; first \(a.first.map { "\($0)" } ?? "-") vs \(b.first.map { "\($0)" } ?? "-"), last \(a.last.map { "\($0)" } ?? "-") vs \(b.last.map { "\($0)" } ?? "-")"
            break
        }
        if let i = a.indices.first(where: { a[$0].0 != b[$0].0 || a[$0].1.bitPattern != b[$0].1.bitPattern }) {
            what = "\(l): sample \(i): \(a[i]) vs \(b[i])"
            break
        }
    }
    Issue.record("samples differ \(context): \(what)", sourceLocation: sourceLocation)
}
