import StrataCodec
import StrataStorage

/// What `strata audit verify` found.
public struct ChainReport: Sendable {
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        case unreadableBlock(block: String, error: String)
        case walDamage(segment: Int, offset: Int, reason: String)
        /// A stored anchor disagrees with the chain recomputed through the events before it.
        case anchorMismatch(block: String, id: UInt64, computed: String, stored: String)
        /// A run's stored h(first − 1) is not the hash the preceding run ends with.
        case linkMismatch(id: UInt64, computed: String, stored: String, source: String)
        /// Events missing from the middle of the chain that no retention record accounts for.
        case gap(first: UInt64, last: UInt64)
        /// The chain starts after id 1 and no retention record says why.
        case unexplainedStart(id: UInt64)
        /// The same id stored twice with different content.
        case conflictingCopies(id: UInt64, sources: String)
        /// A run with no anchor to start from (a block written without its chain section).
        case unanchored(block: String, id: UInt64)
        /// The chain's end disagrees with the head hash the log recorded.
        case headMismatch(computed: String, recorded: String)

        public var description: String {
            switch self {
            case .unreadableBlock(let b, let e): return "block \(b) is unreadable: \(e)"
            case .walDamage(let s, let o, let r): return "WAL segment \(s) is damaged at byte \(o): \(r)"
            case .anchorMismatch(let b, let id, let c, let s):
                return "block \(b): event \(id) does not follow from the events before it (chain computes \(c), block stores \(s)): an event before \(id) was altered"
            case .linkMismatch(let id, let c, let s, let src):
                return "\(src): event \(id) records previous hash \(s), but the chain up to \(id - 1) hashes to \(c): an event at or before \(id - 1) was altered or replaced"
            case .gap(let a, let b): return "events \(a)…\(b) are missing and no retention record explains it"
            case .unexplainedStart(let id): return "the chain starts at event \(id), and no retention record explains the missing earlier events"
            case .conflictingCopies(let id, let s): return "event \(id) is stored twice with different content (\(s))"
            case .unanchored(let b, let id): return "block \(b): run starting at event \(id) has no anchor"
            case .headMismatch(let c, let r): return "the chain ends with hash \(c), but the log recorded \(r)"
            }
        }
    }

    public var events = 0
    public var blocks = 0
    public var walEvents = 0
    public var firstID: UInt64?
    public var lastID: UInt64?
    /// h(lastID): compare with a previously published value to detect rewriting of the whole tail.
    public var headHash = EventChain.genesis
    public var retentionRecords = 0
    /// h(probe) for the id passed to `verify(directory:probe:)`, if stored.
    public var probeHash: ChainHash?
    public var problems: [Problem] = []
    /// Repairable conditions (a torn WAL tail after a crash).
    public var notes: [String] = []

    public var ok: Bool { problems.isEmpty }
}

/// Verifies an event store's hash chain from its files, read-only (the
/// server may keep running; blocks deleted meanwhile show as unreadable).
/// docs/events.md, "Verifying the chain".
public enum ChainVerifier {
    struct Span {
        var first: UInt64
        var last: UInt64
        var prevHash: ChainHash
        var endHash: ChainHash
        var source: String
    }

    public static func verify(directory: String, probe: UInt64? = nil) throws -> ChainReport {
        var report = ChainReport()
        var spans: [Span] = []
        var dropped: [ClosedRange<UInt64>] = []
        var links: [UInt64: ChainHash] = [:]

        func noteRetention(_ e: Event) {
            guard e.type == .security, e.action == "retention", e.user == "strata" else { return }
            report.retentionRecords += 1
            for a in e.attributes {
                if a.key == "dropped_ids" || a.key.hasPrefix("dropped_ids.") {
                    for part in a.value.split(separator: ",") {
                        let ends = part.split(separator: "-")
                        if let lo = ends.first.flatMap({ UInt64($0) }), let hi = ends.last.flatMap({ UInt64($0) }), lo <= hi {
                            dropped.append(lo...hi)
                        }
                    }
                } else if a.key == "links" || a.key.hasPrefix("links.") {
                    for part in a.value.split(separator: ",") {
                        let kv = part.split(separator: ":")
                        if kv.count == 2, let id = UInt64(kv[0]), let h = ChainHash(hex: String(kv[1])) { links[id] = h }
                    }
                }
            }
        }

        // The log first: its events are the newest and may also sit in a
        // block (a crash between a cut and its checkpoint).
        let wal = try readWAL(directory + "/wal", report: &report)
        var walByID: [UInt64: Int] = [:]
        for (i, id) in wal.events.ids.enumerated() { walByID[id] = i }
        var inBlocks = Set<UInt64>()

        // Blocks.
        let dir = directory + "/" + EventBlockFormat.blocksDirectory
        var opened: [EventBlock] = []
        if FileIO.isDirectory(dir) {
            for name in try FileIO.list(dir).sorted() where BlockID(name) != nil {
                let path = dir + "/" + name
                guard !FileIO.isDirectory(path) else { continue }
                do throws(EventBlockError) { opened.append(try EventBlock(path: path)) } catch {
                    report.problems.append(.unreadableBlock(block: name, error: "\(error)"))
                }
            }
        }
        let superseded = Set(opened.flatMap(\.meta.sources))
        for b in opened where !superseded.contains(b.id) && b.meta.chained {
            report.blocks += 1
            var all: [Event] = []
            do { try b.forEachEvent { _, e in all.append(e) } } catch {
                report.problems.append(.unreadableBlock(block: b.id, error: "\(error)"))
                continue
            }
            all.sort { $0.id < $1.id }
            var events = BlockEvents()
            for e in all {
                events.append(id: e.id, e.draft)
                noteRetention(e)
                if let wi = walByID[e.id] {
                    inBlocks.insert(e.id)
                    let same = events.withBody(events.count - 1) { a in wal.events.withBody(wi) { b in a.elementsEqual(b) } }
                    if !same { report.problems.append(.conflictingCopies(id: e.id, sources: "block \(b.id) and the WAL")) }
                }
            }
            var stored: [UInt64: ChainHash] = [:]
            for (i, id) in b.anchorIDs.enumerated() { stored[id] = b.anchorHashes[i] }
            let w = ChainWalk.walk(ids: events.ids, anchors: stored, probe: probe) { k, f in events.withBody(k, f) }
            if let ph = w.probeHash { report.probeHash = ph }
            for m in w.mismatches {
                report.problems.append(.anchorMismatch(block: b.id, id: m.id, computed: m.expected.hex, stored: m.stored.hex))
            }
            for u in w.unanchored { report.problems.append(.unanchored(block: b.id, id: u)) }
            for r in w.runs { spans.append(Span(first: r.first, last: r.last, prevHash: r.prevHash, endHash: r.endHash, source: "block \(b.id)")) }
            report.events += events.count
        }

        // WAL events not in blocks, as runs.
        var k = 0
        let n = wal.events.count
        while k < n {
            let first = wal.events.ids[k]
            if inBlocks.contains(first) { k += 1; continue }
            var h = wal.prevHashes[k]
            let start = h
            var last = first
            var j = k
            while j < n && wal.events.ids[j] == last + (j == k ? 0 : 1) && !inBlocks.contains(wal.events.ids[j]) {
                if j > k && wal.prevHashes[j] != h {
                    report.problems.append(.linkMismatch(id: wal.events.ids[j], computed: h.hex, stored: wal.prevHashes[j].hex, source: "WAL"))
                }
                last = wal.events.ids[j]
                h = wal.events.withBody(j) { EventChain.next(prev: h, id: last, body: $0) }
                if last == probe { report.probeHash = h }
                if let e = try? wal.events.draft(j) { noteRetention(Event(id: last, e)) }
                j += 1
            }
            spans.append(Span(first: first, last: last, prevHash: start, endHash: h, source: "WAL"))
            report.walEvents += j - k
            report.events += j - k
            k = j
        }

        // Link the runs.
        spans.sort { $0.first < $1.first }
        func covered(_ a: UInt64, _ b: UInt64) -> Bool {
            // Every id of [a, b] lies in some dropped range.
            var next = a
            for r in dropped.sorted(by: { $0.lowerBound < $1.lowerBound }) where r.upperBound >= next {
                if r.lowerBound > next { return false }
                next = r.upperBound &+ 1
                if next > b || next == 0 { return true }
            }
            return next > b
        }
        var prev: Span?
        for s in spans {
            if let p = prev {
                if s.first <= p.last {
                    report.problems.append(.conflictingCopies(id: s.first, sources: "\(p.source) and \(s.source)"))
                    continue
                }
                if s.first == p.last + 1 {
                    if s.prevHash != p.endHash {
                        report.problems.append(.linkMismatch(id: s.first, computed: p.endHash.hex, stored: s.prevHash.hex, source: s.source))
                    }
                } else if !covered(p.last + 1, s.first - 1) {
                    report.problems.append(.gap(first: p.last + 1, last: s.first - 1))
                } else if let l = links[s.first - 1], l != s.prevHash {
                    report.problems.append(.linkMismatch(id: s.first, computed: l.hex, stored: s.prevHash.hex, source: s.source))
                }
            } else {
                if s.first == 1 {
                    if s.prevHash != EventChain.genesis {
                        report.problems.append(.linkMismatch(id: 1, computed: EventChain.genesis.hex, stored: s.prevHash.hex, source: s.source))
                    }
                } else if !covered(s.first - 1, s.first - 1) {
                    report.problems.append(.unexplainedStart(id: s.first))
                } else if let l = links[s.first - 1], l != s.prevHash {
                    report.problems.append(.linkMismatch(id: s.first, computed: l.hex, stored: s.prevHash.hex, source: s.source))
                }
                report.firstID = s.first
            }
            prev = s
        }
        if let p = prev {
            report.lastID = p.last
            report.headHash = p.endHash
            if let state = wal.state, state.nextID == p.last + 1, state.headHash != p.endHash {
                report.problems.append(.headMismatch(computed: p.endHash.hex, recorded: state.headHash.hex))
            }
        }
        return report
    }

    struct WALContent {
        var events = BlockEvents()
        var prevHashes: [ChainHash] = []
        /// The chain state after the last record.
        var state: (nextID: UInt64, headHash: ChainHash)?
    }

    /// Reads the newest checkpoint and later segments without repairing anything.
    static func readWAL(_ dir: String, report: inout ChainReport) throws -> WALContent {
        var out = WALContent()
        let layout = try WALReplay.layout(dir)
        var files: [(path: String, index: Int)] = []
        if let cp = layout.checkpoints.last {
            let cpDir = dir + "/" + WALSegment.checkpointName(cp)
            for f in (try FileIO.list(cpDir)).compactMap(WALSegment.index(of:)).sorted() {
                files.append((cpDir + "/" + WALSegment.name(f), -1))
            }
        }
        let floor = layout.checkpoints.last ?? Int.min
        for s in layout.segments where s > floor { files.append((dir + "/" + WALSegment.name(s), s)) }
        var next: UInt64 = 1
        var head = EventChain.genesis
        var scratch: [UInt8] = []
        for (fi, f) in files.enumerated() {
            let file = try MappedFile(f.path)
            let outcome = file.withBytes { bytes in
                WALSegmentReader.read(segment: f.index, bytes: bytes, scratch: &scratch) { (payload: UnsafeRawBufferPointer) throws(WALCorruption) in
                    let rec: EventWALRecord.Decoded
                    do { rec = try EventWALRecord.decode(payload) } catch {
                        throw WALCorruption(segment: f.index, offset: 0, reason: .badContent("\(error)"))
                    }
                    switch rec {
                    case .chainState(let n, let h):
                        next = n
                        head = h
                    case .checkpointEvents(let evs):
                        for e in evs {
                            let body = UnsafeRawBufferPointer(rebasing: payload[e.body])
                            let (t, key) = EventBody.header(body, at: 0)
                            out.events.append(id: e.id, timestamp: t, key: key.rawValue, body: body)
                            out.prevHashes.append(e.prevHash)
                        }
                    case .batch(let first, let prev, let bodies):
                        var h = prev
                        for (k, r) in bodies.enumerated() {
                            let id = first + UInt64(k)
                            let body = UnsafeRawBufferPointer(rebasing: payload[r])
                            let p = h
                            h = EventChain.next(prev: h, id: id, body: body)
                            if id < next { continue }
                            let (t, key) = EventBody.header(body, at: 0)
                            out.events.append(id: id, timestamp: t, key: key.rawValue, body: body)
                            out.prevHashes.append(p)
                        }
                        let last = first + UInt64(bodies.count)
                        if last > next {
                            next = last
                            head = h
                        }
                    }
                }
            }
            if let c = outcome.corruption {
                let isTail = fi == files.count - 1
                if isTail && c.reason == .torn {
                    report.notes.append("WAL ends with a torn write at segment \(c.segment) byte \(c.offset) (a crash; the server cuts it at the next start)")
                } else {
                    report.problems.append(.walDamage(segment: c.segment, offset: c.offset, reason: "\(c.reason)"))
                }
            }
        }
        if !files.isEmpty { out.state = (next, head) }
        return out
    }
}
