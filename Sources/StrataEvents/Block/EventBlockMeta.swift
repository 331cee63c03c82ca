import StrataStorage

/// What a block holds, from its meta section.
public struct EventBlockMeta: Sendable, Equatable {
    public var id: String
    /// The partition (or compacted day) this block covers: [start, end).
    public var partitionStart: Int64
    public var partitionEnd: Int64
    /// The events' actual time range (inclusive); empty block: start/end.
    public var minTime: Int64
    public var maxTime: Int64
    public var count: Int
    public var minID: UInt64
    public var maxID: UInt64
    /// 1 for blocks cut from the head, +1 per compaction.
    public var level: Int
    public var flags: UInt64
    /// Blocks this one was compacted from; `open` deletes any that still exist.
    public var sources: [String]
    /// Adjacent token pairs whose tokens both occur in at least this many of
    /// the block's events are indexed as bigram terms (0: none). See
    /// docs/format/events.md, "Terms section".
    public var bigramThreshold: Int = 0

    public var chained: Bool { flags & EventBlockFormat.Flag.chained != 0 }
    public var textIndexed: Bool { flags & EventBlockFormat.Flag.textIndexed != 0 }
}

extension EventBlockMeta {
    static let encodingVersion: UInt64 = 1

    /// `version | partitionStart varint | partitionEnd varint | minTime varint | maxTime varint | count |
    /// minID | maxID | level | flags | nsources | { id str } × nsources | bigramThreshold` (uvarints unless noted).
    static func encode(_ m: EventBlockMeta, into out: inout [UInt8]) {
        out.appendUVarint(encodingVersion)
        out.appendVarint(m.partitionStart)
        out.appendVarint(m.partitionEnd)
        out.appendVarint(m.minTime)
        out.appendVarint(m.maxTime)
        out.appendUVarint(UInt64(m.count))
        out.appendUVarint(m.minID)
        out.appendUVarint(m.maxID)
        out.appendUVarint(UInt64(m.level))
        out.appendUVarint(m.flags)
        out.appendUVarint(UInt64(m.sources.count))
        for s in m.sources { out.appendString(s) }
        out.appendUVarint(UInt64(m.bigramThreshold))
    }

    static func decode(_ r: inout ByteReader, id: String) -> EventBlockMeta? {
        guard r.readUVarint() == encodingVersion, let ps = r.readVarint(), let pe = r.readVarint(),
              let minT = r.readVarint(), let maxT = r.readVarint(), let count = r.readUVarint(),
              count <= UInt64(Int32.max), let minID = r.readUVarint(), let maxID = r.readUVarint(),
              let level = r.readUVarint(), level < 1000, let flags = r.readUVarint(), let ns = r.readUVarint(),
              ns <= UInt64(r.remaining) else { return nil }
        var sources: [String] = []
        for _ in 0..<ns {
            guard let s = r.readString() else { return nil }
            sources.append(s)
        }
        guard let bt = r.readUVarint(), bt <= UInt64(Int32.max) else { return nil }
        return EventBlockMeta(id: id, partitionStart: ps, partitionEnd: pe, minTime: minT, maxTime: maxT,
                              count: Int(count), minID: minID, maxID: maxID, level: Int(level), flags: flags,
                              sources: sources, bigramThreshold: Int(bt))
    }
}

import StrataCodec
