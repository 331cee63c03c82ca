import StrataCodec
import StrataStorage

/// The event store's WAL record payloads. The log itself (segments,
/// fragments, CRCs, checkpoints) is the engine's `WAL`, unchanged; these are
/// new record types, numbered from 16 so they never collide with the
/// metric records (1–3). Byte layout: docs/format/events.md, "WAL records".
public enum EventWALRecord {
    /// `16 | firstID u64 LE | count uvarint | prevHash (32) | body × count`:
    /// a batch of new events with ids firstID, firstID+1, …; `prevHash` is
    /// h(firstID − 1). Chain off: prevHash is zero.
    public static let batch: UInt8 = 16
    /// `17 | nextID uvarint | headHash (32)`: the chain state when a checkpoint was taken.
    public static let chainState: UInt8 = 17
    /// `18 | count uvarint | { id uvarint | prevHash (32) | body } × count`:
    /// head events in a checkpoint (ids need not be consecutive).
    public static let checkpointEvents: UInt8 = 18

    /// Offset of the firstID field in a batch record buffer that starts with `WAL.headerReserve` bytes.
    static let batchIDOffset = WAL.headerReserve + 1

    /// Starts a batch record in `buf` with placeholders for the id and the
    /// previous hash (filled in by `patchBatch` inside the log's critical
    /// section). Returns the offset of the first body.
    static func beginBatch(count: Int, into buf: inout [UInt8]) -> (hashOffset: Int, bodiesOffset: Int) {
        WAL.beginRecord(&buf)
        buf.append(batch)
        buf.appendUInt64LE(0)
        buf.appendUVarint(UInt64(count))
        let h = buf.count
        buf.append(contentsOf: repeatElement(0, count: 32))
        return (h, buf.count)
    }

    static func patchBatch(_ buf: inout [UInt8], firstID: UInt64, prevHash: ChainHash, hashOffset: Int) {
        buf.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: firstID.littleEndian, toByteOffset: batchIDOffset, as: UInt64.self)
            raw.storeBytes(of: prevHash.a.bigEndian, toByteOffset: hashOffset, as: UInt64.self)
            raw.storeBytes(of: prevHash.b.bigEndian, toByteOffset: hashOffset + 8, as: UInt64.self)
            raw.storeBytes(of: prevHash.c.bigEndian, toByteOffset: hashOffset + 16, as: UInt64.self)
            raw.storeBytes(of: prevHash.d.bigEndian, toByteOffset: hashOffset + 24, as: UInt64.self)
        }
    }

    static func encodeChainState(nextID: UInt64, headHash: ChainHash, into buf: inout [UInt8]) {
        buf.append(chainState)
        buf.appendUVarint(nextID)
        headHash.append(to: &buf)
    }

    /// A decoded record.
    public enum Decoded {
        /// Bodies are (offset, length) within the payload.
        case batch(firstID: UInt64, prevHash: ChainHash, bodies: [Range<Int>])
        case chainState(nextID: UInt64, headHash: ChainHash)
        case checkpointEvents([(id: UInt64, prevHash: ChainHash, body: Range<Int>)])
    }

    /// Decodes a record payload (first byte is the type).
    public static func decode(_ p: UnsafeRawBufferPointer) throws(EventDecodeError) -> Decoded {
        var r = ByteReader(p)
        guard let type = r.readUInt8() else { throw .truncated(offset: 0, what: "record type") }
        switch type {
        case batch:
            guard let first = r.readUInt64LE(), let count = r.readUVarint(), r.remaining >= 32 else {
                throw .truncated(offset: r.offset, what: "batch header")
            }
            let prev = ChainHash(reading: p, at: r.offset)
            r.offset += 32
            // Each body takes at least 15 bytes.
            guard count <= UInt64(r.remaining / 15 + 1) else { throw .invalid(offset: 9, what: "batch count \(count)") }
            var bodies: [Range<Int>] = []
            bodies.reserveCapacity(Int(count))
            for _ in 0..<count {
                let s = r.offset
                _ = try EventBody.decode(&r)
                bodies.append(s..<r.offset)
            }
            return .batch(firstID: first, prevHash: prev, bodies: bodies)
        case chainState:
            guard let next = r.readUVarint(), r.remaining >= 32 else { throw .truncated(offset: r.offset, what: "chain state") }
            return .chainState(nextID: next, headHash: ChainHash(reading: p, at: r.offset))
        case checkpointEvents:
            guard let count = r.readUVarint(), count <= UInt64(r.remaining / 40 + 1) else {
                throw .truncated(offset: r.offset, what: "checkpoint events")
            }
            var out: [(id: UInt64, prevHash: ChainHash, body: Range<Int>)] = []
            for _ in 0..<count {
                guard let id = r.readUVarint(), r.remaining >= 32 else { throw .truncated(offset: r.offset, what: "checkpoint event") }
                let prev = ChainHash(reading: p, at: r.offset)
                r.offset += 32
                let s = r.offset
                _ = try EventBody.decode(&r)
                out.append((id, prev, s..<r.offset))
            }
            return .checkpointEvents(out)
        default:
            throw .invalid(offset: 0, what: "record type \(type)")
        }
    }
}
