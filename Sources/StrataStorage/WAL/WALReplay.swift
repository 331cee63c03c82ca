#if canImport(Glibc)
import Glibc
#endif
import StrataCodec

/// What replay found, for logs, `/api/v1/status/tsdb` and metrics.
public struct WALReplayStats: Sendable {
    public var segments = 0
    public var records = 0
    public var bytes = 0
    public var checkpoint: Int?
    /// Damage found and repaired (the segment truncated at the damage).
    public var corruptions: [WALCorruption] = []
    /// Highest segment index on disk, or nil for an empty log.
    public var lastSegment: Int?
}

/// Reads the newest checkpoint and the segments after it, in order, and
/// repairs damage as docs/format/wal.md "Recovery" describes.
public enum WALReplay {
    public struct Layout: Sendable {
        public var segments: [Int] = []
        public var checkpoints: [Int] = []
        public var leftovers: [String] = []
    }

    public static func layout(_ directory: String) throws(IOError) -> Layout {
        var l = Layout()
        guard FileIO.isDirectory(directory) else { return l }
        for name in try FileIO.list(directory) {
            if let i = WALSegment.index(of: name) {
                l.segments.append(i)
            } else if let i = WALSegment.checkpointIndex(of: name) {
                l.checkpoints.append(i)
            } else if name.hasSuffix(".tmp") {
                l.leftovers.append(name)
            }
        }
        l.segments.sort()
        l.checkpoints.sort()
        return l
    }

    /// Replays the log. `body` receives each record's payload (first byte is
    /// the `WALRecordType`); if it throws, the record is treated as damaged.
    public static func replay(
        directory: String,
        _ body: (UnsafeRawBufferPointer) throws(WALCorruption) -> Void
    ) throws(IOError) -> WALReplayStats {
        var stats = WALReplayStats()
        let l = try layout(directory)
        for name in l.leftovers { try FileIO.removeTree(directory + "/" + name) }
        var scratch: [UInt8] = []

        if let cp = l.checkpoints.last {
            stats.checkpoint = cp
            let cpDir = directory + "/" + WALSegment.checkpointName(cp)
            let files = (try FileIO.list(cpDir)).compactMap(WALSegment.index(of:)).sorted()
            for f in files {
                try replaySegment(path: cpDir + "/" + WALSegment.name(f), index: -1, stats: &stats, scratch: &scratch, body)
            }
        }
        let floor = stats.checkpoint ?? Int.min
        for seg in l.segments where seg > floor {
            try replaySegment(path: directory + "/" + WALSegment.name(seg), index: seg, stats: &stats, scratch: &scratch, body)
        }
        stats.lastSegment = l.segments.last ?? stats.checkpoint
        return stats
    }

    static func replaySegment(
        path: String, index: Int, stats: inout WALReplayStats, scratch: inout [UInt8],
        _ body: (UnsafeRawBufferPointer) throws(WALCorruption) -> Void
    ) throws(IOError) {
        let file = try MappedFile(path)
        stats.segments += 1
        stats.bytes += file.count
        let outcome = file.withBytes { bytes in
            WALSegmentReader.read(segment: index, bytes: bytes, scratch: &scratch, body)
        }
        stats.records += outcome.records
        if let c = outcome.corruption {
            stats.corruptions.append(c)
            // Cut the damage away so that the next open reads a clean log.
            let fd = try FileIO.open(path, O_WRONLY)
            defer { FileIO.close(fd) }
            try FileIO.truncate(fd, to: outcome.validEnd, path: path)
            try FileIO.fsync(fd, path: path)
        }
    }

    /// Writes `checkpoint.<upTo>` atomically from the records `fill` logs,
    /// then deletes segments ≤ `upTo` and older checkpoints.
    public static func writeCheckpoint(
        directory: String, upTo: Int, keepSegmentsFrom floor: Int = .max,
        _ fill: (inout WAL.Writer) throws(IOError) -> Void
    ) throws(IOError) {
        let final = directory + "/" + WALSegment.checkpointName(upTo)
        let tmp = final + ".tmp"
        if FileIO.exists(tmp) { try FileIO.removeTree(tmp) }
        try FileIO.mkdir(tmp)
        var w = WAL.Writer(fd: -1, segment: 0, segmentBytes: 0, written: 0,
                           directory: tmp, segmentSize: .max, failed: nil)
        do throws(IOError) {
            try w.openSegment()
            do {
                try fill(&w)
                try FileIO.fdatasync(w.fd, path: w.segmentPath)
            } catch {
                FileIO.close(w.fd)
                throw error
            }
            FileIO.close(w.fd)
            try FileIO.syncDirectory(tmp)
        } catch {
            // On a full disk the half-written checkpoint would hold on to the
            // space the next attempt needs; open removes leftovers too.
            try? FileIO.removeTree(tmp)
            throw error
        }
        try FileIO.rename(tmp, final)
        try FileIO.syncDirectory(directory)

        // Only now is the old state redundant.
        let l = try layout(directory)
        // Segments a tail reader (remote write out) still needs stay; replay
        // ignores segments at or below the checkpoint, so keeping them is harmless.
        for s in l.segments where s <= upTo && s < floor { try FileIO.unlink(directory + "/" + WALSegment.name(s)) }
        for c in l.checkpoints where c < upTo { try FileIO.removeTree(directory + "/" + WALSegment.checkpointName(c)) }
        try FileIO.syncDirectory(directory)
    }
}
