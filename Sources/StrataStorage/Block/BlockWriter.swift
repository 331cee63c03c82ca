#if canImport(Glibc)
import Glibc
#endif
import StrataCodec

/// Writes one block directory (docs/format/block.md). Add series in label
/// order with `add`, then `finish()` makes the block durable and visible
/// atomically; `abort()` removes the partial directory.
public final class BlockWriter {
    public let blocksDirectory: String
    public let id: BlockID
    public internal(set) var meta: BlockMeta
    let tmpDir: String
    let finalDir: String

    // Chunk files.
    private var fileIndex = 0
    private var fd: Int32 = -1
    private var fileOffset = 0
    private var pending: [UInt8] = []
    private var pendingBase = 0

    // Index state.
    var seriesLabels: [Labels] = []
    var seriesChunks: [[BlockChunkMeta]] = []
    var tsDedup: [[UInt8]: UInt64] = [:]
    var column: [UInt8] = []
    var lastLabels: Labels?
    /// Accept series in any order and sort them at `finish` (the importer's
    /// mode). Each label set may still be added only once.
    public var acceptsAnyOrder = false

    public init(blocksDirectory: String, minTime: Int64, maxTime: Int64, id: BlockID = .generate(),
                resolution: Int64 = 0) throws(IOError) {
        self.blocksDirectory = blocksDirectory
        self.id = id
        meta = BlockMeta(id: id, minTime: minTime, maxTime: maxTime)
        meta.resolution = resolution
        finalDir = blocksDirectory + "/" + id.string
        tmpDir = finalDir + ".tmp"
        try FileIO.mkdirs(blocksDirectory)
        if FileIO.exists(tmpDir) { try FileIO.removeTree(tmpDir) }
        try FileIO.mkdirs(tmpDir + "/" + BlockFormat.chunksDirectory)
        try openChunkFile()
    }

    private var chunkPath: String { tmpDir + "/" + BlockFormat.chunksDirectory + "/" + BlockFormat.chunkFileName(fileIndex) }

    private func openChunkFile() throws(IOError) {
        fileIndex += 1
        fd = try FileIO.open(chunkPath, O_WRONLY | O_CREAT | O_TRUNC)
        pending.removeAll(keepingCapacity: true)
        pending.append(contentsOf: BlockFormat.fileHeader(BlockFormat.chunkMagic))
        pendingBase = 0
        fileOffset = pending.count
    }

    private func flushPending() throws(IOError) {
        guard !pending.isEmpty else { return }
        try FileIO.writeAll(fd, pending, path: chunkPath)
        pendingBase += pending.count
        pending.removeAll(keepingCapacity: true)
    }

    private func closeChunkFile() throws(IOError) {
        try flushPending()
        try FileIO.fsync(fd, path: chunkPath)
        FileIO.close(fd)
        fd = -1
    }

    /// Appends `column` as a column entry and returns its reference.
    func writeColumn(_ col: [UInt8]) throws(IOError) -> UInt64 {
        let size = uvarintSize(UInt64(col.count)) + col.count + 4
        if fileOffset + size > BlockFormat.maxChunkFileSize && fileOffset > BlockFormat.fileHeaderSize {
            try closeChunkFile()
            try openChunkFile()
        }
        let ref = UInt64(fileIndex) << 32 | UInt64(fileOffset)
        pending.appendUVarint(UInt64(col.count))
        pending.append(contentsOf: col)
        pending.appendUInt32LE(CRC32C.checksum(col))
        fileOffset += size
        meta.stats.chunkBytes += size
        if pending.count >= 1 << 20 { try flushPending() }
        return ref
    }

    /// Adds a series. Samples must be sorted by time and lie in the block's
    /// range; series must be added in increasing label order.
    public func add(_ labels: Labels, timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) throws(IOError) {
        precondition(timestamps.count == values.count)
        if !acceptsAnyOrder, let last = lastLabels { precondition(last < labels, "series must be added in label order") }
        lastLabels = labels
        guard timestamps.count > 0 else { return }
        var chunks: [BlockChunkMeta] = []
        var start = 0
        let n = timestamps.count
        while start < n {
            // Cut at the next multiple of chunkSpan and at maxSamplesPerChunk.
            let boundary = (MemSeries.floorDiv(timestamps[start], BlockFormat.chunkSpan) + 1) * BlockFormat.chunkSpan
            var end = start + 1
            let limit = min(n, start + BlockFormat.maxSamplesPerChunk)
            while end < limit && timestamps[end] < boundary { end += 1 }
            let ts = UnsafeBufferPointer(rebasing: timestamps[start..<end])
            let vs = UnsafeBufferPointer(rebasing: values[start..<end])
            column.removeAll(keepingCapacity: true)
            TimestampColumn.encode(ts, into: &column)
            let tsRef: UInt64
            if let existing = tsDedup[column] {
                tsRef = existing
            } else {
                tsRef = try writeColumn(column)
                tsDedup[column] = tsRef
            }
            column.removeAll(keepingCapacity: true)
            ValueColumn.encode(vs, into: &column)
            let vRef = try writeColumn(column)
            chunks.append(BlockChunkMeta(minTime: ts[0], maxTime: ts[ts.count - 1], samples: ts.count,
                                         timestampsRef: tsRef, valuesRef: vRef))
            start = end
        }
        seriesLabels.append(labels)
        seriesChunks.append(chunks)
        meta.stats.series += 1
        meta.stats.samples += n
        meta.stats.chunks += chunks.count
    }

    /// Writes the index and meta, fsyncs everything, and renames the block into place.
    @discardableResult
    public func finish() throws -> BlockMeta {
        try closeChunkFile()
        if acceptsAnyOrder {
            let order = seriesLabels.indices.sorted { seriesLabels[$0] < seriesLabels[$1] }
            seriesLabels = order.map { seriesLabels[$0] }
            seriesChunks = order.map { seriesChunks[$0] }
        }
        let index = IndexWriter.encode(labels: seriesLabels, chunks: seriesChunks)
        meta.stats.indexBytes = index.count
        let indexPath = tmpDir + "/" + BlockFormat.indexFile
        try writeDurably(indexPath, index)
        try writeDurably(tmpDir + "/" + BlockMeta.fileName, try meta.encoded())
        try FileIO.syncDirectory(tmpDir + "/" + BlockFormat.chunksDirectory)
        try FileIO.syncDirectory(tmpDir)
        try FileIO.rename(tmpDir, finalDir)
        try FileIO.syncDirectory(blocksDirectory)
        return meta
    }

    public func abort() {
        if fd >= 0 { FileIO.close(fd); fd = -1 }
        try? FileIO.removeTree(tmpDir)
    }

    private func writeDurably(_ path: String, _ bytes: [UInt8]) throws(IOError) {
        let f = try FileIO.open(path, O_WRONLY | O_CREAT | O_TRUNC)
        defer { FileIO.close(f) }
        try FileIO.writeAll(f, bytes, path: path)
        try FileIO.fsync(f, path: path)
    }
}

extension Labels: Comparable {
    /// Lexicographic over (name, value) pairs in byte order; a prefix sorts first.
    public static func < (a: Labels, b: Labels) -> Bool {
        let n = Swift.min(a.count, b.count)
        for i in 0..<n {
            let x = a[i], y = b[i]
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
            if x.value != y.value { return x.value.utf8.lexicographicallyPrecedes(y.value.utf8) }
        }
        return a.count < b.count
    }
}
