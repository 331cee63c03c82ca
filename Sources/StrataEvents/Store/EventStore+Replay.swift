import Foundation
import Logging
import StrataCodec
import StrataStorage

/// What opening the store found in its WAL.
public struct EventReplayStats: Sendable {
    public var wal: WALReplayStats?
    /// Events restored into the head.
    public var events = 0
    /// Events found in the log that a block already holds (a crash between a
    /// block cut and its checkpoint).
    public var alreadyPersisted = 0
    /// Batches whose stored previous hash does not continue the chain
    /// (damage repaired in between, or tampering); see `strata audit verify`.
    public var chainBreaks = 0
    public var seconds = 0.0
}

extension EventStore {
    /// The log's content, decoded: head events in id order and the chain state after them.
    struct Replayed {
        var ids: [UInt64] = []
        var prevHashes: [ChainHash] = []
        var bodies = BlockEvents()
        var nextID: UInt64 = 1
        var headHash = EventChain.genesis
        var lastSegment: Int?
        var sawState = false
    }

    static func replay(walDirectory: String, chained: Bool, logger: Logger) throws -> (Replayed, EventReplayStats) {
        let began = DispatchTime.now().uptimeNanoseconds
        var out = Replayed()
        var stats = EventReplayStats()
        let walStats = try WALReplay.replay(directory: walDirectory) { (payload: UnsafeRawBufferPointer) throws(WALCorruption) in
            let rec: EventWALRecord.Decoded
            do { rec = try EventWALRecord.decode(payload) } catch {
                throw WALCorruption(segment: 0, offset: 0, reason: .badContent("\(error)"))
            }
            switch rec {
            case .chainState(let next, let hash):
                out.nextID = next
                out.headHash = hash
                out.sawState = true
            case .checkpointEvents(let evs):
                for e in evs {
                    let body = UnsafeRawBufferPointer(rebasing: payload[e.body])
                    let (t, key) = EventBody.header(body, at: 0)
                    out.bodies.append(id: e.id, timestamp: t, key: key.rawValue, body: body)
                    out.prevHashes.append(e.prevHash)
                }
            case .batch(let first, let prev, let bodies):
                if chained && first == out.nextID && prev != out.headHash { stats.chainBreaks += 1 }
                var h = prev
                for (k, r) in bodies.enumerated() {
                    let id = first + UInt64(k)
                    let body = UnsafeRawBufferPointer(rebasing: payload[r])
                    let p = h
                    if chained { h = EventChain.next(prev: h, id: id, body: body) }
                    // A checkpoint may already hold events logged after the roll it follows.
                    if id < out.nextID { continue }
                    let (t, key) = EventBody.header(body, at: 0)
                    out.bodies.append(id: id, timestamp: t, key: key.rawValue, body: body)
                    out.prevHashes.append(p)
                }
                let last = first + UInt64(bodies.count)
                if last > out.nextID {
                    out.nextID = last
                    out.headHash = h
                }
                out.sawState = true
            }
        }
        stats.wal = walStats
        out.lastSegment = walStats.lastSegment
        for c in walStats.corruptions {
            logger.error("event WAL damage repaired", metadata: ["segment": "\(c.segment)", "offset": "\(c.offset)", "reason": "\(c.reason)"])
        }
        if stats.chainBreaks > 0 {
            logger.error("event WAL: hash chain breaks found; run `strata audit verify`", metadata: ["breaks": "\(stats.chainBreaks)"])
        }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
        return (out, stats)
    }

    /// Puts replayed events into the head (minus those blocks already hold)
    /// and sets the chain state. Called from `init` before any append.
    func install(_ r: Replayed) throws {
        // Ids already in blocks: only blocks that reach into the replayed id range matter.
        var persisted = Set<UInt64>()
        if let minReplayed = r.bodies.ids.min() {
            for b in blocks where b.meta.maxID >= minReplayed {
                do { persisted.formUnion(try b.allIDs()) } catch { throw EventStoreError.block(path: b.path, error) }
            }
        }
        var restored = 0
        for i in 0..<r.bodies.count {
            let id = r.bodies.ids[i]
            if persisted.contains(id) {
                replayStats.alreadyPersisted += 1
                continue
            }
            let d = try r.bodies.draft(i)
            var terms = TermBatch()
            terms.add(d, text: options.textIndexed)
            let p = partitionLocked(for: d.timestamp)
            r.bodies.withBody(i) { body in
                p.lock.withWriteLock {
                    p.append(id: id, timestamp: d.timestamp, key: d.key.rawValue, body: body,
                             prevHash: r.prevHashes[i], batch: terms, termIndex: 0)
                }
            }
            headMaxTime = max(headMaxTime, d.timestamp)
            restored += 1
        }
        replayStats.events = restored
        nextID = r.nextID
        headHash = r.headHash
        // A log that was lost or never written: continue after the blocks.
        let maxBlockID = blocks.map(\.meta.maxID).max() ?? 0
        if nextID <= maxBlockID {
            logger.warning("event WAL holds no chain state past the blocks; continuing the chain from the blocks",
                           metadata: ["maxID": "\(maxBlockID)"])
            nextID = maxBlockID + 1
            if options.chained {
                headHash = try hashAfter(id: maxBlockID) ?? EventChain.genesis
            }
        }
        for b in blocks { headMaxTime = max(headMaxTime, b.meta.maxTime) }
    }
}
