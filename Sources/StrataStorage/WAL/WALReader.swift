import StrataCodec

/// Reads the fragments of one segment and reassembles records.
/// Format: docs/format/wal.md, "Segment" and "Fragment".
public enum WALSegmentReader {
    public struct Outcome: Sendable {
        /// Offset just past the last complete, valid record.
        public var validEnd: Int
        public var records: Int
        public var corruption: WALCorruption?
    }

    /// Calls `body` with each record's payload (valid only during the call).
    /// Stops at the first damage and reports it; `validEnd` is where a repair
    /// truncates. If `body` throws, that record counts as damaged (bad content).
    public static func read(
        segment: Int, bytes: UnsafeRawBufferPointer, scratch: inout [UInt8],
        from startOffset: Int = 0,
        _ body: (UnsafeRawBufferPointer) throws(WALCorruption) -> Void
    ) -> Outcome {
        var out = Outcome(validEnd: 0, records: 0, corruption: nil)
        let n = bytes.count
        if n < WALSegment.headerSize {
            // An empty or header-torn file: a crash right after create. Nothing to keep.
            if n > 0 { out.corruption = WALCorruption(segment: segment, offset: 0, reason: .torn) }
            return out
        }
        for i in 0..<4 where bytes[i] != WALSegment.magic[i] {
            out.corruption = WALCorruption(segment: segment, offset: 0, reason: .badSegmentHeader)
            return out
        }
        if bytes[4] != WALSegment.version {
            out.corruption = WALCorruption(segment: segment, offset: 4, reason: .badSegmentHeader)
            return out
        }
        var pos = max(WALSegment.headerSize, startOffset)
        out.validEnd = pos
        var recordStart = pos
        var inFragmented = false
        scratch.removeAll(keepingCapacity: true)

        func fail(_ at: Int, _ reason: WALCorruption.Reason) -> Outcome {
            var o = out
            o.corruption = WALCorruption(segment: segment, offset: at, reason: reason)
            return o
        }

        while pos < n {
            let fragStart = pos
            if n - pos < WALSegment.fragmentHeaderSize {
                return fail(fragStart, .torn)
            }
            let kindByte = bytes[pos]
            if kindByte == 0 && allZero(bytes, from: pos) {
                // Zeroed tail (preallocation or a torn write): end of data.
                return fail(fragStart, .torn)
            }
            guard let kind = WALSegment.Kind(rawValue: kindByte) else { return fail(fragStart, .badKind(kindByte)) }
            let len = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + 1, as: UInt32.self))
            let crc = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: pos + 5, as: UInt32.self))
            if Int(len) > WALSegment.maxFragment { return fail(fragStart, .badLength(len)) }
            let payloadStart = pos + WALSegment.fragmentHeaderSize
            if n - payloadStart < Int(len) { return fail(fragStart, .torn) }
            let head = UnsafeRawBufferPointer(rebasing: bytes[pos..<(pos + 5)])
            let payload = UnsafeRawBufferPointer(rebasing: bytes[payloadStart..<(payloadStart + Int(len))])
            if CRC32C.update(CRC32C.checksum(head), payload) != crc { return fail(fragStart, .badChecksum) }
            pos = payloadStart + Int(len)

            switch kind {
            case .full:
                if inFragmented { return fail(fragStart, .badFragmentSequence) }
                recordStart = fragStart
                do { try body(payload) } catch { return fail(recordStart, error.reason) }
                out.records += 1
                out.validEnd = pos
            case .first:
                if inFragmented { return fail(fragStart, .badFragmentSequence) }
                inFragmented = true
                recordStart = fragStart
                scratch.removeAll(keepingCapacity: true)
                scratch.append(contentsOf: payload)
            case .middle:
                if !inFragmented { return fail(fragStart, .badFragmentSequence) }
                scratch.append(contentsOf: payload)
            case .last:
                if !inFragmented { return fail(fragStart, .badFragmentSequence) }
                inFragmented = false
                scratch.append(contentsOf: payload)
                let failed: WALCorruption.Reason? = scratch.withUnsafeBytes { raw -> WALCorruption.Reason? in
                    do throws(WALCorruption) { try body(raw); return nil } catch { return error.reason }
                }
                if let failed { return fail(recordStart, failed) }
                out.records += 1
                out.validEnd = pos
            }
        }
        if inFragmented { return fail(recordStart, .torn) }
        return out
    }

    private static func allZero(_ bytes: UnsafeRawBufferPointer, from: Int) -> Bool {
        var i = from
        while i < bytes.count {
            if bytes[i] != 0 { return false }
            i += 1
        }
        return true
    }
}
