import StrataCodec
import StrataStorage

extension EventStore {
    /// What a retention pass removed.
    public struct RetentionOutcome: Sendable {
        public var dropped: [EventBlockMeta] = []
        /// The audit event recording the drop (chained stores).
        public var recordedID: UInt64?
    }

    /// Deletes whole blocks whose partition ended more than `retention` before
    /// `now`. A chained store first walks the chain through them and then
    /// records the drop as an audit event (`type=security`, `action=retention`)
    /// listing the dropped id ranges and the hash each range ended with, so
    /// `strata audit verify` can tell the resulting gap from a deletion
    /// (docs/events.md, "Retention and the chain").
    @discardableResult
    public func applyRetention(now: Int64) throws -> RetentionOutcome {
        maintenance.lock()
        defer { maintenance.unlock() }
        let cutoff = now - options.retention
        let victims = sources().blocks.filter { $0.meta.partitionEnd <= cutoff }
        var out = RetentionOutcome()
        guard !victims.isEmpty else { return out }

        var record: EventDraft?
        if options.chained {
            var all: [Event] = []
            var stored: [UInt64: ChainHash] = [:]
            for b in victims {
                try b.forEachEvent { _, e in all.append(e) }
                for (i, id) in b.anchorIDs.enumerated() { stored[id] = b.anchorHashes[i] }
            }
            all.sort { $0.id < $1.id }
            var events = BlockEvents()
            for e in all { events.append(id: e.id, e.draft) }
            let w = ChainWalk.walk(ids: events.ids, anchors: stored) { k, f in events.withBody(k, f) }
            let next = wal.withWriter { _ in nextID }
            var ranges: [String] = []
            var links: [String] = []
            for r in w.runs {
                ranges.append(r.first == r.last ? "\(r.first)" : "\(r.first)-\(r.last)")
                if r.last + 1 < next { links.append("\(r.last):\(r.endHash.hex)") }
            }
            var attrs = [
                EventAttribute("blocks", victims.map(\.id).joined(separator: ",")),
                EventAttribute("events", String(events.count)),
            ]
            attrs += Self.chunked("dropped_ids", ranges)
            attrs += Self.chunked("links", links)
            if !w.mismatches.isEmpty || !w.unanchored.isEmpty {
                attrs.append(EventAttribute("chain_errors", String(w.mismatches.count + w.unanchored.count)))
            }
            record = EventDraft(
                timestamp: now, type: .security, severity: w.mismatches.isEmpty ? .info : .warning,
                user: "strata", source: "", action: "retention",
                description: "retention deleted \(victims.count) block(s) with \(events.count) event(s) older than \(cutoff)",
                attributes: Array(attrs.prefix(options.limits.maxAttributes)))
        }

        let ids = Set(victims.map(\.id))
        sourcesLock.lock()
        blocks = blocks.filter { !ids.contains($0.id) }
        sourcesLock.unlock()
        for b in victims { try FileIO.unlink(b.path) }
        try FileIO.syncDirectory(blocksDirectory)
        out.dropped = victims.map(\.meta)
        if let record {
            let r = try appendWithoutWaiting([record])
            try wal.syncNow()
            out.recordedID = r.firstID
        }
        logger.info("event retention", metadata: ["blocks": "\(victims.count)", "cutoff": "\(cutoff)"])
        return out
    }

    /// Splits a list into attributes of at most `maxAttributeValue` bytes: `key`, `key.2`, `key.3`…
    static func chunked(_ key: String, _ items: [String], limit: Int = EventLimits.default.maxAttributeValue) -> [EventAttribute] {
        var out: [EventAttribute] = []
        var cur = ""
        func flush() {
            guard !cur.isEmpty else { return }
            out.append(EventAttribute(out.isEmpty ? key : "\(key).\(out.count + 1)", cur))
            cur = ""
        }
        for it in items {
            if !cur.isEmpty && cur.utf8.count + 1 + it.utf8.count > limit { flush() }
            cur += cur.isEmpty ? it : "," + it
        }
        flush()
        return out
    }
}
