#if canImport(Glibc)
import Glibc
#endif
import Foundation
import StrataCodec

/// The segmented write-ahead log. Format: docs/format/wal.md.
///
/// Writers go through `withWriter`, which runs their body inside the log's
/// critical section: the head validates, applies and logs a batch there, so
/// the log's order equals the head's apply order. Durability waits happen
/// outside it (`waitDurable`), served by one syncer thread (group commit).
public final class WAL: @unchecked Sendable {
    public let directory: String
    public let options: WALOptions

    /// The state only the critical section touches.
    public struct Writer {
        var fd: Int32
        public private(set) var segment: Int
        var segmentBytes: Int
        /// Bytes ever written by this process (monotonic); the unit of `waitDurable`.
        public private(set) var written: UInt64
        let directory: String
        let segmentSize: Int
        var failed: IOError?
        /// Reused framing buffer for fragmented records.
        var frame: [UInt8] = []
        /// Segments that were fully synced and closed by rollovers.
        var syncedThrough: UInt64 = 0

        var segmentPath: String { directory + "/" + WALSegment.name(segment) }

        /// Frames `buffer` (which starts with `WAL.headerReserve` reserved
        /// bytes followed by the payload) as one record and writes it.
        /// Returns the log position after the record.
        public mutating func log(_ buffer: inout [UInt8]) throws(IOError) -> UInt64 {
            if let failed { throw failed }
            let payloadLen = buffer.count - WALSegment.fragmentHeaderSize
            precondition(payloadLen >= 0, "buffer must start with WAL.headerReserve bytes")
            if fd < 0 { try openSegment() }
            if segmentBytes >= segmentSize { try rollover() }
            let start = segmentBytes
            if payloadLen <= WALSegment.maxFragment {
                WAL.frame(&buffer, kind: .full, payloadOffset: WALSegment.fragmentHeaderSize, payloadLen: payloadLen)
                try writeOrTruncate(buffer, start: start)
            } else {
                frame.removeAll(keepingCapacity: true)
                var off = WALSegment.fragmentHeaderSize
                let end = buffer.count
                while off < end {
                    let len = min(WALSegment.maxFragment, end - off)
                    let kind: WALSegment.Kind =
                        off == WALSegment.fragmentHeaderSize ? .first : (off + len == end ? .last : .middle)
                    let h = frame.count
                    frame.append(contentsOf: repeatElement(0, count: WALSegment.fragmentHeaderSize))
                    frame.append(contentsOf: buffer[off..<(off + len)])
                    WAL.frame(&frame, kind: kind, payloadOffset: h + WALSegment.fragmentHeaderSize, payloadLen: len)
                    off += len
                }
                try writeOrTruncate(frame, start: start)
            }
            return written
        }

        /// Writes at the current end; on failure truncates back so that no
        /// partial record is followed by later good ones.
        private mutating func writeOrTruncate(_ bytes: [UInt8], start: Int) throws(IOError) {
            do {
                try FileIO.writeAll(fd, bytes, path: segmentPath)
            } catch {
                do {
                    try FileIO.truncate(fd, to: start, path: segmentPath)
                    _ = lseek(fd, off_t(start), SEEK_SET)
                } catch {
                    // Can't repair this segment: refuse further writes until restart,
                    // which starts a new segment and cuts the torn tail on replay.
                    failed = error
                }
                throw error
            }
            segmentBytes += bytes.count
            written &+= UInt64(bytes.count)
        }

        /// Closes the current segment (fsynced) and starts the next.
        ///
        /// If the next segment cannot be created (ENOSPC, EDQUOT, …) the log
        /// is left without an open segment (`fd < 0`) rather than poisoned:
        /// everything written so far is synced and closed, and the next
        /// `log` tries to create the segment again, so writes resume once
        /// space is freed (issue #7, disk full).
        mutating func rollover() throws(IOError) {
            if let failed { throw failed }
            if fd >= 0 {
                do {
                    try FileIO.fdatasync(fd, path: segmentPath)
                } catch {
                    // fsyncgate: the kernel may have dropped the dirty pages; never
                    // acknowledge anything after this (see `WAL.syncLoop`).
                    failed = error
                    throw error
                }
                syncedThrough = written
                FileIO.close(fd)
                fd = -1
                segment += 1
            }
            try openSegment()
        }

        /// Creates segment `segment` with its header, fsynced together with its
        /// directory entry. On failure nothing of it is left behind (so that a
        /// restart or a retry finds no torn header) and `fd` stays -1: the
        /// error is thrown for this one record, and the next `log` retries.
        mutating func openSegment() throws(IOError) {
            precondition(fd < 0, "a segment is already open")
            let path = segmentPath
            let newFD = try FileIO.open(path, O_WRONLY | O_CREAT | O_TRUNC)
            do {
                try FileIO.writeAll(newFD, WALSegment.header, path: path)
                try FileIO.fdatasync(newFD, path: path)
                try FileIO.syncDirectory(directory)
            } catch {
                FileIO.close(newFD)
                do {
                    try FileIO.unlink(path)
                } catch let e where e.errno != ENOENT {
                    // A half-written segment we cannot remove: stop until a
                    // restart, whose replay cuts the torn header.
                    failed = error
                } catch {}
                throw error
            }
            fd = newFD
            segmentBytes = WALSegment.headerSize
            written &+= UInt64(WALSegment.headerSize)
            syncedThrough = written
        }
    }

    /// Bytes to reserve at the start of a record buffer before encoding the payload.
    public static let headerReserve = WALSegment.fragmentHeaderSize

    /// Starts a record buffer: clears it and reserves the fragment header.
    @inlinable
    public static func beginRecord(_ buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: repeatElement(0, count: WALSegment.fragmentHeaderSize))
    }

    static func frame(_ buf: inout [UInt8], kind: WALSegment.Kind, payloadOffset: Int, payloadLen: Int) {
        let h = payloadOffset - WALSegment.fragmentHeaderSize
        buf[h] = kind.rawValue
        buf.setUInt32LE(UInt32(payloadLen), at: h + 1)
        let crc = buf.withUnsafeBytes { raw in
            CRC32C.update(
                CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[h..<(h + 5)])),
                UnsafeRawBufferPointer(rebasing: raw[payloadOffset..<(payloadOffset + payloadLen)]))
        }
        buf.setUInt32LE(crc, at: h + 5)
    }

    private let writerLock = NSLock()
    private var writer: Writer
    private let sync = SyncState()
    private var syncThread: Thread?

    /// Opens the log for writing, starting a new segment after `lastSegment`
    /// (the highest index found on disk, or -1). Replay happens before this.
    public init(directory: String, options: WALOptions, startSegment: Int) throws(IOError) {
        self.directory = directory
        self.options = options
        try FileIO.mkdirs(directory)
        var w = Writer(fd: -1, segment: startSegment, segmentBytes: 0, written: 0,
                       directory: directory, segmentSize: options.segmentSize, failed: nil)
        do {
            try w.openSegment()
        } catch where error.isNoSpace {
            // Full disk at open: start anyway (reads work); the first `log`
            // creates the segment once there is space again.
        }
        sync.synced = w.written
        writer = w
        let t = Thread { [weak self] in self?.syncLoop() }
        t.name = "strata-wal-sync"
        syncThread = t
        t.start()
    }

    /// Runs `body` inside the log's critical section.
    public func withWriter<R, E: Error>(_ body: (inout Writer) throws(E) -> R) throws(E) -> R {
        writerLock.lock()
        defer { writerLock.unlock() }
        return try body(&writer)
    }

    /// Logs one record (framing `buffer`, see `beginRecord`). Returns the log position after it.
    @discardableResult
    public func log(_ buffer: inout [UInt8]) throws(IOError) -> UInt64 {
        try withWriter { (w: inout Writer) throws(IOError) -> UInt64 in try w.log(&buffer) }
    }

    public var currentSegment: Int { withWriter { $0.segment } }

    /// Oldest segment that tail readers still need, by reader name; checkpoints
    /// keep those segments (see `WALTailReader`).
    private let retainLock = NSLock()
    private var retained: [String: Int] = [:]

    public func retainSegments(from segment: Int?, for reader: String) {
        retainLock.lock()
        retained[reader] = segment
        retainLock.unlock()
    }

    /// The lowest segment any tail reader still needs (`Int.max` if none).
    public var retentionFloor: Int {
        retainLock.lock()
        defer { retainLock.unlock() }
        return retained.values.min() ?? .max
    }

    /// Bytes written by this process since open.
    public var bytesWritten: UInt64 { withWriter { $0.written } }

    /// Closes the current segment and starts a new one; returns the index of the closed one.
    public func roll() throws(IOError) -> Int {
        try withWriter { (w: inout Writer) throws(IOError) -> Int in
            // No open segment (its creation failed for lack of space): open it
            // first, so that the returned segment exists and holds nothing.
            if w.fd < 0 { try w.openSegment() }
            let closed = w.segment
            try w.rollover()
            return closed
        }
    }

    // MARK: durability

    /// Suspends until everything up to `position` is on stable storage (mode
    /// `always`); returns at once in `interval` mode.
    public func waitDurable(_ position: UInt64) async throws {
        guard options.fsync == .always else { return }
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
            sync.cond.lock()
            if sync.synced >= position {
                sync.cond.unlock()
                cont.resume()
                return
            }
            if sync.stopping {
                sync.cond.unlock()
                cont.resume(throwing: IOError("fsync", directory, errno: ECANCELED))
                return
            }
            sync.waiters.append((position, cont))
            sync.cond.signal()
            sync.cond.unlock()
        }
    }

    /// fsyncs everything written so far (used by close, flush and tests).
    public func syncNow() throws(IOError) {
        let (fd, target, path) = try dupCurrent()
        if fd >= 0 {
            defer { FileIO.close(fd) }
            try FileIO.fdatasync(fd, path: path)
        }
        sync.cond.lock()
        if target > sync.synced { sync.synced = target }
        sync.cond.unlock()
    }

    private func dupCurrent() throws(IOError) -> (Int32, UInt64, String) {
        try withWriter { (w: inout Writer) throws(IOError) -> (Int32, UInt64, String) in
            if let f = w.failed { throw f }
            // No open segment: everything written is in closed, fsynced segments.
            if w.fd < 0 { return (-1, w.syncedThrough, w.segmentPath) }
            let d = dup(w.fd)
            if d < 0 { throw IOError("dup", w.segmentPath, errno: errno) }
            return (d, w.written, w.segmentPath)
        }
    }

    private func syncLoop() {
        let intervalSeconds: Double?
        switch options.fsync {
        case .always: intervalSeconds = nil
        case .interval(let ms): intervalSeconds = Double(max(1, ms)) / 1000
        }
        while true {
            sync.cond.lock()
            if let intervalSeconds {
                if !sync.stopping && sync.waiters.isEmpty {
                    _ = sync.cond.wait(until: Date(timeIntervalSinceNow: intervalSeconds))
                }
            } else {
                while !sync.stopping && sync.waiters.isEmpty { sync.cond.wait() }
            }
            let stopping = sync.stopping
            let synced = sync.synced
            sync.cond.unlock()
            if stopping { return }

            // One fdatasync serves everyone waiting at this moment.
            var failure: (any Error)?
            var target = synced
            do {
                let (fd, t, path) = try dupCurrent()
                target = t
                if t > synced && fd >= 0 {
                    let began = DispatchTime.now().uptimeNanoseconds
                    do { try FileIO.fdatasync(fd, path: path) } catch { failure = error }
                    options.onFsync?(Int64(DispatchTime.now().uptimeNanoseconds &- began))
                }
                if fd >= 0 { FileIO.close(fd) }
            } catch {
                failure = error
            }
            var ready: [CheckedContinuation<Void, any Error>] = []
            if let failure {
                // After a failed fsync the kernel may have dropped the dirty
                // pages and a later fsync can succeed without them ("fsyncgate",
                // PostgreSQL 2018): stop logging until a restart replays what
                // really is on disk, rather than acknowledge later records.
                withWriter { w in if w.failed == nil { w.failed = failure as? IOError ?? IOError("fdatasync", w.segmentPath, errno: EIO) } }
            }
            sync.cond.lock()
            if let failure {
                // The data may not be durable: nobody waiting gets an acknowledgement.
                ready = sync.waiters.map(\.1)
                sync.waiters.removeAll()
                sync.cond.unlock()
                for c in ready { c.resume(throwing: failure) }
                continue
            }
            if target > sync.synced { sync.synced = target }
            let now = sync.synced
            sync.waiters.removeAll { w in
                if w.0 <= now { ready.append(w.1); return true }
                return false
            }
            sync.cond.unlock()
            for c in ready { c.resume() }
        }
    }

    /// Stops the syncer, fsyncs and closes the current segment.
    public func close() throws(IOError) {
        sync.cond.lock()
        let wasStopping = sync.stopping
        sync.stopping = true
        sync.cond.broadcast()
        sync.cond.unlock()
        if wasStopping { return }
        var err: IOError?
        do { try syncNow() } catch { err = error }
        withWriter { w in
            if w.fd >= 0 { FileIO.close(w.fd); w.fd = -1 }
            w.failed = IOError("write", w.segmentPath, errno: EBADF)
        }
        sync.cond.lock()
        let synced = sync.synced
        let waiters = sync.waiters
        sync.waiters.removeAll()
        sync.cond.unlock()
        for w in waiters {
            if w.0 <= synced { w.1.resume() } else { w.1.resume(throwing: IOError("close", directory, errno: ECANCELED)) }
        }
        if let err { throw err }
    }

    deinit {
        try? close()
    }
}

/// Shared between committers and the syncer thread.
final class SyncState: @unchecked Sendable {
    let cond = NSCondition()
    var synced: UInt64 = 0
    var stopping = false
    var waiters: [(UInt64, CheckedContinuation<Void, any Error>)] = []
}
