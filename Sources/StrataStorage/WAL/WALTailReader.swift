import Foundation
import StrataCodec

/// A position in the log: a segment and a byte offset in it.
public struct WALPosition: Codable, Sendable, Equatable, Comparable, CustomStringConvertible {
    public var segment: Int
    public var offset: Int

    public init(segment: Int, offset: Int) {
        self.segment = segment
        self.offset = offset
    }

    public static func < (a: WALPosition, b: WALPosition) -> Bool {
        a.segment != b.segment ? a.segment < b.segment : a.offset < b.offset
    }

    public var description: String { "\(WALSegment.name(segment))@\(offset)" }
}

/// Follows the log as it is written, record by record, from a position —
/// the way Prometheus' remote-write queue follows its WAL. The writer is never
/// disturbed: the reader maps what is on disk, stops before an incomplete
/// tail record, and picks it up on the next poll.
///
/// While a reader is registered (`WAL.retainSegments`), checkpoints keep the
/// segments it has not finished, so nothing is lost across restarts; the
/// owner bounds how far behind it may fall.
public struct WALTailReader {
    public let directory: String
    public private(set) var position: WALPosition
    /// Bytes skipped because they were damaged or deleted before being read.
    public private(set) var skippedSegments = 0
    var scratch: [UInt8] = []

    public init(directory: String, from position: WALPosition) {
        self.directory = directory
        self.position = position
    }

    /// The first readable position of the log now: its oldest segment's start.
    public static func oldest(directory: String) throws(IOError) -> WALPosition? {
        guard let first = try WALReplay.layout(directory).segments.first else { return nil }
        return WALPosition(segment: first, offset: WALSegment.headerSize)
    }

    /// The end of the log now (where a reader that wants only new data starts).
    public static func end(directory: String) throws(IOError) -> WALPosition? {
        guard let last = try WALReplay.layout(directory).segments.last else { return nil }
        let size = try FileIO.fileSize(directory + "/" + WALSegment.name(last))
        return WALPosition(segment: last, offset: max(size, WALSegment.headerSize))
    }

    /// Calls `body` with each complete record after the current position, up
    /// to about `maxBytes` of log, and advances. Returns the number of records.
    public mutating func poll(maxBytes: Int = 4 << 20, _ body: (UnsafeRawBufferPointer) -> Void) throws(IOError) -> Int {
        var records = 0
        var budget = maxBytes
        while budget > 0 {
            let segments = try WALReplay.layout(directory).segments
            guard let last = segments.last else { return records }
            if !segments.contains(position.segment) {
                // Our segment is gone (deleted while we lagged) or not yet written.
                guard let next = segments.first(where: { $0 > position.segment }) else { return records }
                if position.segment < next - 1 || position.offset > WALSegment.headerSize { skippedSegments += 1 }
                position = WALPosition(segment: next, offset: WALSegment.headerSize)
            }
            let path = directory + "/" + WALSegment.name(position.segment)
            let file: MappedFile
            do { file = try MappedFile(path) } catch { return records }
            let start = position.offset
            let segment = position.segment
            var consumed = 0
            let outcome = file.withBytes { bytes in
                WALSegmentReader.read(segment: segment, bytes: bytes, scratch: &scratch, from: start) { payload in
                    body(payload)
                    records += 1
                    consumed += payload.count
                }
            }
            position.offset = max(outcome.validEnd, start)
            budget -= max(consumed, 1)
            if position.segment == last {
                // The writer's segment: an incomplete tail is a record being written.
                return records
            }
            // A finished segment: move on (damage at its end is skipped).
            if outcome.corruption != nil && outcome.corruption?.reason != .torn { skippedSegments += 1 }
            if let next = segments.first(where: { $0 > position.segment }) {
                position = WALPosition(segment: next, offset: WALSegment.headerSize)
            }
            if consumed == 0 && outcome.records == 0 { continue }
        }
        return records
    }
}
