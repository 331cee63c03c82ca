import Foundation

public enum ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidLabels(LabelError, Labels)
    case lengthMismatch(Labels, timestamps: Int, values: Int)

    public var description: String {
        switch self {
        case .invalidLabels(let e, let l): return "invalid labels \(l): \(e)"
        case .lengthMismatch(let l, let t, let v): return "series \(l): \(t) timestamps but \(v) values"
        }
    }
}

/// Writes historical samples straight into blocks (backfill, issue #5),
/// bypassing the head and the WAL.
///
/// Samples are split by aligned windows of `blockDuration` (by default the
/// largest compaction level, so imported history needs no further merging);
/// every window is one block, written in one pass: each series' samples go
/// to its window's `BlockWriter` as they arrive (series in any order; the
/// writer sorts the index at the end). A label set seen twice in a window
/// goes to a second block of that window, which compaction later merges
/// with deduplication, like any overlap. Nothing is visible until `finish`.
public final class BlockImporter {
    public let blocksDirectory: String
    public let blockDuration: Int64
    public let labelLimits: LabelLimits
    private var writers: [Int64: [(writer: BlockWriter, seen: Set<Labels>)]] = [:]
    private var ts: [Int64] = []
    private var vs: [Double] = []
    public private(set) var series = 0
    public private(set) var samples = 0

    public init(blocksDirectory: String, blockDuration: Int64, labelLimits: LabelLimits = .default) {
        precondition(blockDuration > 0)
        self.blocksDirectory = blocksDirectory
        self.blockDuration = blockDuration
        self.labelLimits = labelLimits
    }

    /// Adds one series' samples. Timestamps need not be sorted; on equal
    /// timestamps the later sample wins.
    public func add(_ labels: Labels, timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) throws {
        guard timestamps.count == values.count else {
            throw ImportError.lengthMismatch(labels, timestamps: timestamps.count, values: values.count)
        }
        do throws(LabelError) { try labels.validate(limits: labelLimits) } catch { throw ImportError.invalidLabels(error, labels) }
        let n = timestamps.count
        guard n > 0 else { return }
        var sorted = true
        for i in 1..<n where timestamps[i] <= timestamps[i - 1] { sorted = false; break }
        if sorted {
            try split(labels, timestamps, values)
        } else {
            // Stable sort by time, then keep the last of equal timestamps.
            let order = (0..<n).sorted { timestamps[$0] != timestamps[$1] ? timestamps[$0] < timestamps[$1] : $0 < $1 }
            ts.removeAll(keepingCapacity: true)
            vs.removeAll(keepingCapacity: true)
            for (k, i) in order.enumerated() {
                if k + 1 < n && timestamps[order[k + 1]] == timestamps[i] { continue }
                ts.append(timestamps[i])
                vs.append(values[i])
            }
            let t = ts, v = vs
            try t.withUnsafeBufferPointer { tp in try v.withUnsafeBufferPointer { vp in try split(labels, tp, vp) } }
        }
        series += 1
    }

    /// Adds one series' samples from arrays.
    public func add(_ labels: Labels, timestamps: [Int64], values: [Double]) throws {
        try timestamps.withUnsafeBufferPointer { t in
            try values.withUnsafeBufferPointer { v in try add(labels, timestamps: t, values: v) }
        }
    }

    private func split(_ labels: Labels, _ t: UnsafeBufferPointer<Int64>, _ v: UnsafeBufferPointer<Double>) throws {
        var start = 0
        let n = t.count
        while start < n {
            let w = MemSeries.floorDiv(t[start], blockDuration)
            let boundary = (w + 1) * blockDuration
            // Binary search for the window's end.
            var lo = start + 1, hi = n
            while lo < hi {
                let mid = (lo + hi) >> 1
                if t[mid] < boundary { lo = mid + 1 } else { hi = mid }
            }
            let writer = try writer(window: w, for: labels)
            try writer.add(labels, timestamps: UnsafeBufferPointer(rebasing: t[start..<lo]),
                           values: UnsafeBufferPointer(rebasing: v[start..<lo]))
            samples += lo - start
            start = lo
        }
    }

    /// The window's first writer that has not seen `labels` yet (created if needed).
    private func writer(window w: Int64, for labels: Labels) throws -> BlockWriter {
        var gens = writers[w] ?? []
        for g in gens.indices where !gens[g].seen.contains(labels) {
            gens[g].seen.insert(labels)
            writers[w] = gens
            return gens[g].writer
        }
        let writer = try BlockWriter(blocksDirectory: blocksDirectory, minTime: w * blockDuration, maxTime: (w + 1) * blockDuration)
        writer.acceptsAnyOrder = true
        gens.append((writer, [labels]))
        writers[w] = gens
        return writer
    }

    /// Makes every block durable; returns their metas, oldest window first.
    /// On error the blocks not yet finished are removed.
    public func finish() throws -> [BlockMeta] {
        var out: [BlockMeta] = []
        let all = writers.keys.sorted().flatMap { w in writers[w]!.map(\.writer) }
        writers = [:]
        for (i, w) in all.enumerated() {
            do {
                out.append(try w.finish())
            } catch {
                for rest in all[(i + 1)...] { rest.abort() }
                w.abort()
                throw error
            }
        }
        return out
    }

    /// Removes every unfinished block.
    public func abort() {
        for gens in writers.values { for g in gens { g.writer.abort() } }
        writers = [:]
    }
}

/// What `Database.importBlocks` wrote.
public struct ImportReport: Sendable {
    public var blocks: [BlockMeta] = []
    public var series = 0
    public var samples = 0
    public var seconds: Double = 0
}

extension Database {
    /// Backfill: writes `series` (labels, timestamps, values) straight into
    /// blocks of `blockDuration` (default: the largest compaction level) and
    /// publishes them. Overlaps with existing data are merged, deduplicated,
    /// by the next compaction; rollups too are made by `compact()`.
    @discardableResult
    public func importBlocks<S: Sequence>(series: S, blockDuration: Int64? = nil) throws -> ImportReport
    where S.Element == (Labels, [Int64], [Double]) {
        try importBlocks(blockDuration: blockDuration) { importer in
            for (labels, ts, vs) in series { try importer.add(labels, timestamps: ts, values: vs) }
        }
    }

    /// The same, with the series handed to `feed`'s importer piece by piece
    /// (a large file read in chunks); nothing is visible until `feed` returns.
    @discardableResult
    public func importBlocks(blockDuration: Int64? = nil, _ feed: (BlockImporter) throws -> Void) throws -> ImportReport {
        compactionLock.lock()
        defer { compactionLock.unlock() }
        let clock = ContinuousClock()
        let started = clock.now
        let duration = blockDuration ?? compactionPlanner.ranges.last!
        let importer = BlockImporter(blocksDirectory: blocksDirectory, blockDuration: duration,
                                     labelLimits: options.head.labelLimits)
        do {
            try feed(importer)
        } catch {
            importer.abort()
            throw error
        }
        var report = ImportReport()
        report.series = importer.series
        report.samples = importer.samples
        report.blocks = try importer.finish()
        for meta in report.blocks { try publish(meta) }
        let took = clock.now - started
        report.seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        logger.info("blocks imported", metadata: [
            "blocks": "\(report.blocks.count)", "series": "\(report.series)", "samples": "\(report.samples)",
            "seconds": "\(report.seconds)",
        ])
        return report
    }
}
