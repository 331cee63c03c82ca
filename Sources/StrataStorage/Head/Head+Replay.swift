import StrataCodec

public struct HeadReplayStats: Sendable {
    public var wal = WALReplayStats()
    public var series = 0
    public var samples = 0
    /// Samples whose series record was lost (damage earlier in the log).
    public var unknownRefSamples = 0
    /// Samples the head refused on replay, as it did when they were first appended.
    public var rejectedSamples = 0
    public var seconds: Double = 0
}

extension Head {
    /// Rebuilds the head from the WAL in `directory`. Call before `attach(wal:)`.
    public func replay(directory: String) throws(IOError) -> HeadReplayStats {
        let clock = ContinuousClock()
        let started = clock.now
        var stats = HeadReplayStats()
        // Dense cache ref → series: refs are assigned densely from 1, so an
        // array beats a dictionary on the per-sample path.
        var cache: [MemSeries?] = []
        // Second refs of one label set beyond the cache (see `createForReplay`).
        var aliases: [SeriesRef: MemSeries] = [:]
        let options = self.options
        var lo = Int64.max, hi = Int64.min

        @inline(__always)
        func lookup(_ ref: SeriesRef) -> MemSeries? {
            if ref < UInt64(cache.count), let s = cache[Int(ref)] { return s }
            return stripes.get(ref: ref) ?? aliases[ref]
        }

        stats.wal = try WALReplay.replay(directory: directory) { (payload) throws(WALCorruption) in
            guard let type = payload.first else {
                throw WALCorruption(segment: 0, offset: 0, reason: .badContent("empty record"))
            }
            do throws(WALRecordError) {
                switch WALRecordType(rawValue: type) {
                case .series:
                    try WALRecord.decodeSeries(payload) { ref, labels in
                        let s = self.createForReplay(ref: ref, labels: labels)
                        if ref < 1 << 26 {
                            let i = Int(ref)
                            if i >= cache.count { cache.append(contentsOf: repeatElement(nil, count: i - cache.count + 1)) }
                            cache[i] = s
                        } else if s.ref != ref {
                            aliases[ref] = s
                        }
                        stats.series += 1
                    }
                case .samples:
                    var last: MemSeries? = nil
                    try WALRecord.decodeSamples(payload) { ref, t, v in
                        let s: MemSeries
                        if let l = last, l.ref == ref {
                            s = l
                        } else if let found = lookup(ref) {
                            s = found
                            last = found
                        } else {
                            stats.unknownRefSamples += 1
                            return
                        }
                        if s.hasSamples && t <= s.lastT {
                            // Identical duplicates are expected where a checkpoint overlaps the
                            // next segment; anything else was rejected live too.
                            if !(t == s.lastT && v.bitPattern == s.lastBits) { stats.rejectedSamples += 1 }
                            return
                        }
                        s.append(t, v, chunkRange: options.chunkRange, samplesPerChunk: options.samplesPerChunk)
                        if t < lo { lo = t }
                        if t > hi { hi = t }
                        stats.samples += 1
                    }
                case .tombstones:
                    try self.replayTombstones(payload)
                case nil:
                    throw WALRecordError.unknownType(type)
                }
            } catch {
                throw WALCorruption(segment: 0, offset: 0, reason: .badContent("\(error)"))
            }
        }
        if stats.samples > 0 { noteTimes(min: lo, max: hi) }
        samplesAppendedA.wrappingAdd(UInt64(stats.samples), ordering: .relaxed)
        let took = clock.now - started
        stats.seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        return stats
    }
}
