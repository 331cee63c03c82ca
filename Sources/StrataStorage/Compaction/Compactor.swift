import Foundation
import StrataCodec

/// Writes the blocks of one compaction step in a single pass over the
/// source blocks' merged series (`BlockMerger`): optionally the merged raw
/// block (columns re-encoded by `BlockWriter`, which picks the smallest
/// encoding per column), and rollup blocks computed from the same samples
/// (`RollupBuilder`).
///
/// Durability order: every block is written as `<id>.tmp`, fsynced and
/// renamed by `BlockWriter.finish`; the raw block first, then the rollups.
/// `onDurable` is called for each block as soon as it is in place, so the
/// caller publishes it and deletes what it replaces (its
/// `compaction.parents`) even if a later block of the step fails.
struct Compactor {
    let blocksDirectory: String

    struct RollupOutput {
        var window: Int64
        /// Rollup blocks the new one replaces.
        var replaces: [String]
    }

    struct Stats {
        var samplesRead = 0
        var samplesWritten = 0
        var series = 0
    }

    /// - Parameters:
    ///   - sources: raw blocks to read; their samples in [minTime, maxTime) are merged.
    ///   - writeRaw: write the merged raw block, replacing `sources`.
    ///   - rollupSource: the raw block the rollups are computed from when
    ///     `writeRaw` is false (then `sources` is that one block).
    func run(
        sources: [BlockReader], minTime: Int64, maxTime: Int64,
        writeRaw: Bool, rollups: [RollupOutput], rollupSource: String?,
        onDurable: (BlockMeta) throws -> Void
    ) throws -> Stats {
        precondition(writeRaw || rollupSource != nil)
        let allSources = Array(Set(sources.flatMap(\.meta.compaction.sources))).sorted()
        var raw: BlockWriter? = nil
        var rollupWriters: [BlockWriter] = []
        func abortAll() {
            raw?.abort()
            for w in rollupWriters { w.abort() }
        }
        do {
            if writeRaw {
                let w = try BlockWriter(blocksDirectory: blocksDirectory, minTime: minTime, maxTime: maxTime)
                w.meta.compaction.level = (sources.map(\.meta.compaction.level).max() ?? 0) + 1
                w.meta.compaction.sources = allSources
                w.meta.compaction.parents = sources.map(\.id)
                raw = w
            }
            let source = raw?.id.string ?? rollupSource!
            for r in rollups {
                let w = try BlockWriter(blocksDirectory: blocksDirectory, minTime: minTime, maxTime: maxTime, resolution: r.window)
                w.meta.compaction.level = 1
                w.meta.compaction.sources = allSources
                w.meta.compaction.parents = r.replaces
                w.meta.rollupSource = source
                rollupWriters.append(w)
            }
        } catch {
            abortAll()
            throw error
        }

        var stats = Stats()
        var merger = BlockMerger(readers: sources, mint: minTime, maxt: maxTime)
        var builder = RollupBuilder(resolutions: rollups.map(\.window))
        var scratch = RollupChunk.Scratch()
        do {
            try merger.forEachSeries { (labels, ts, vs) throws(IOError) in
                stats.series += 1
                stats.samplesWritten += ts.count
                try raw?.add(labels, timestamps: ts, values: vs)
                if !rollupWriters.isEmpty {
                    builder.build(timestamps: ts, values: vs)
                    for (i, w) in rollupWriters.enumerated() {
                        try w.addRollup(labels, builder.windows[i], scratch: &scratch)
                    }
                }
            }
        } catch {
            abortAll()
            throw error
        }
        stats.samplesRead = merger.samplesRead

        // The raw block first: rollups name it as their source.
        if let w = raw {
            if w.meta.stats.series == 0 {
                // Everything was deleted: nothing to write, the sources just go.
                w.abort()
                var gone = w.meta
                gone.compaction.parents = sources.map(\.id)
                do { try onDurable(gone) } catch { for r in rollupWriters { r.abort() }; throw error }
            } else {
                let meta: BlockMeta
                do { meta = try w.finish() } catch { abortAll(); throw error }
                do { try onDurable(meta) } catch { for r in rollupWriters { r.abort() }; throw error }
            }
        }
        for (i, w) in rollupWriters.enumerated() {
            do {
                if w.meta.stats.series == 0 {
                    w.abort()
                    try onDurable(w.meta)
                } else {
                    try onDurable(try w.finish())
                }
            } catch {
                for r in rollupWriters[(i + 1)...] { r.abort() }
                throw error
            }
        }
        return stats
    }
}
