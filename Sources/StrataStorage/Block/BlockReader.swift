import StrataCodec
import Synchronization

/// One series of a block: labels and chunk metas.
public struct BlockSeries: Sendable {
    public let labels: Labels
    public let chunks: [BlockChunkMeta]
}

/// An open, verified, immutable block. Chunk files are memory-mapped; the
/// index is decoded into memory at open (docs/format/block.md, "Reading").
public final class BlockReader: @unchecked Sendable {
    public let meta: BlockMeta
    public let directory: String
    public let series: [BlockSeries]
    /// name → value → range in `postingIDs` (ids increasing).
    let postings: [String: [String: Range<Int>]]
    let postingIDs: [UInt32]
    @usableFromInline let files: [MappedFile]
    public let sizeOnDisk: Int
    /// Deleted ranges by block-local series id (docs/format/tombstones.md);
    /// replaced as a whole by `Database.deleteSeries`.
    private let _tombstones: Mutex<Tombstones>

    public var id: String { meta.id }
    public var minTime: Int64 { meta.minTime }
    /// Exclusive.
    public var maxTime: Int64 { meta.maxTime }
    /// 0 for raw data, else the rollup window in ms.
    public var resolution: Int64 { meta.resolution }

    /// A snapshot of the block's tombstones.
    public var tombstones: Tombstones { _tombstones.withLock { $0 } }

    /// Adds `more` to the block's tombstones, durably (the file first, then memory).
    func addTombstones(_ more: Tombstones) throws(IOError) {
        var merged = tombstones
        merged.merge(more)
        try merged.write(blockDirectory: directory)
        _tombstones.withLock { $0 = merged }
    }

    public init(directory: String) throws(BlockError) {
        self.directory = directory
        let name = String(directory.split(separator: "/").last ?? "")
        func fail(_ file: String, _ offset: Int, _ reason: BlockError.Reason) -> BlockError {
            BlockError(block: name, file: file, offset: offset, reason: reason)
        }

        // meta.json
        let metaBytes: [UInt8]
        do { metaBytes = try FileIO.readFile(directory + "/" + BlockMeta.fileName) } catch { throw fail(BlockMeta.fileName, 0, .missingFile) }
        do { meta = try BlockMeta.decode(metaBytes) } catch { throw fail(BlockMeta.fileName, 0, .badMeta("\(error)")) }
        guard meta.version == 1 else { throw fail(BlockMeta.fileName, 0, .badVersion(meta.version)) }

        // Chunk files: map and verify every column's CRC once.
        var files: [MappedFile] = []
        var validRefs = Set<UInt64>()
        var size = metaBytes.count
        let chunkDir = directory + "/" + BlockFormat.chunksDirectory
        let names: [String]
        do { names = try FileIO.list(chunkDir).sorted() } catch { throw fail(BlockFormat.chunksDirectory, 0, .missingFile) }
        for (i, fname) in names.enumerated() {
            guard fname == BlockFormat.chunkFileName(i + 1) else { throw fail("chunks/" + fname, 0, .missingFile) }
            let f: MappedFile
            do { f = try MappedFile(chunkDir + "/" + fname) } catch { throw fail("chunks/" + fname, 0, .missingFile) }
            size += f.count
            let fileIndex = UInt64(i + 1)
            let problem: (Int, BlockError.Reason)? = f.withBytes { raw in
                guard raw.count >= BlockFormat.fileHeaderSize else { return (0, .truncated) }
                for k in 0..<4 where raw[k] != BlockFormat.chunkMagic[k] { return (0, .badMagic) }
                guard raw[4] == BlockFormat.version else { return (4, .badVersion(Int(raw[4]))) }
                var r = ByteReader(raw, offset: BlockFormat.fileHeaderSize)
                while !r.isAtEnd {
                    let at = r.offset
                    guard let len = r.readUVarint(), len <= UInt64(r.remaining),
                          let col = r.readBytes(Int(len)), let crc = r.readUInt32LE() else { return (at, .truncated) }
                    if CRC32C.checksum(col) != crc { return (at, .badChecksum) }
                    validRefs.insert(fileIndex << 32 | UInt64(at))
                }
                return nil
            }
            if let (off, reason) = problem { throw fail("chunks/" + fname, off, reason) }
            files.append(f)
        }
        self.files = files

        // Index.
        let indexFile: MappedFile
        do { indexFile = try MappedFile(directory + "/" + BlockFormat.indexFile) } catch { throw fail(BlockFormat.indexFile, 0, .missingFile) }
        size += indexFile.count
        sizeOnDisk = size
        let decoded: Result<IndexReader.Decoded, BlockError> = indexFile.withBytes { raw in
            do throws(BlockError) {
                return .success(try IndexReader.decode(raw, block: name))
            } catch {
                return .failure(error)
            }
        }
        let idx: IndexReader.Decoded
        switch decoded {
        case .success(let d): idx = d
        case .failure(let e): throw e
        }
        for s in idx.series {
            for c in s.chunks {
                guard validRefs.contains(c.timestampsRef) else { throw fail(BlockFormat.indexFile, 0, .badReference(c.timestampsRef)) }
                guard validRefs.contains(c.valuesRef) else { throw fail(BlockFormat.indexFile, 0, .badReference(c.valuesRef)) }
            }
        }
        series = idx.series
        postings = idx.postings
        postingIDs = idx.postingIDs
        var tombstones = try Tombstones.read(blockDirectory: directory, block: name)
        let n = UInt64(idx.series.count)
        tombstones.filter { $0 < n }
        _tombstones = Mutex(tombstones)
    }

    /// Calls `body` with the bytes of the column at `ref` (verified at open).
    @inlinable
    public func withColumn<R>(_ ref: UInt64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let file = files[Int(ref >> 32) - 1]
        let offset = Int(ref & 0xffff_ffff)
        return file.withBytes { raw in
            var r = ByteReader(raw, offset: offset)
            // Verified at open: these reads succeed.
            let len = Int(r.readUVarint()!)
            return body(UnsafeRawBufferPointer(rebasing: raw[r.offset..<(r.offset + len)]))
        }
    }

    // MARK: index lookups

    /// Sorted ids of series with `name` = `value`.
    public func ids(name: String, value: String) -> ArraySlice<UInt32> {
        guard let r = postings[name]?[value] else { return [] }
        return postingIDs[r]
    }

    /// Postings of every value of `name` accepted by `keep`.
    public func ids(name: String, where keep: (String) -> Bool) -> [ArraySlice<UInt32>] {
        guard let vals = postings[name] else { return [] }
        var out: [ArraySlice<UInt32>] = []
        for (v, r) in vals where keep(v) { out.append(postingIDs[r]) }
        return out
    }

    public var allIDs: Range<Int> { 0..<series.count }

    public func labelNames() -> [String] {
        postings.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func labelValues(_ name: String) -> [String] {
        (postings[name].map { Array($0.keys) } ?? []).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
