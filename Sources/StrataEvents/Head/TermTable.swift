/// The head's inverted index: terms (as bytes) to postings of local event
/// indexes. Open addressing with linear probing over a power-of-two slot
/// array; term bytes live in one arena, so indexing an event allocates
/// nothing but postings growth (no `String` per token, no `Hasher` seeding:
/// the hash is computed once, outside the ingest critical section).
struct TermTable {
    /// Entry index + 1 per slot; 0 is empty.
    private var slots: [Int32] = [Int32](repeating: 0, count: 1024)
    private var hashes: [UInt64] = []
    private var starts: [Int32] = [0]
    private var arena: [UInt8] = []
    private(set) var postings: [[UInt32]] = []

    var count: Int { hashes.count }

    /// Adds `local` to the postings of the term (created if new). Locals arrive in increasing order.
    mutating func add(hash: UInt64, term: UnsafeRawBufferPointer, local: UInt32) {
        if let e = find(hash: hash, term: term) {
            if postings[e].last != local { postings[e].append(local) }
            return
        }
        if (hashes.count + 1) * 4 > slots.count * 3 { grow() }
        let e = hashes.count
        hashes.append(hash)
        arena.append(contentsOf: term)
        starts.append(Int32(arena.count))
        postings.append([local])
        insertSlot(hash, Int32(e + 1))
    }

    private mutating func insertSlot(_ hash: UInt64, _ v: Int32) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while slots[i] != 0 { i = (i + 1) & mask }
        slots[i] = v
    }

    private mutating func grow() {
        slots = [Int32](repeating: 0, count: slots.count * 2)
        for (e, h) in hashes.enumerated() { insertSlot(h, Int32(e + 1)) }
    }

    func find(hash: UInt64, term: UnsafeRawBufferPointer) -> Int? {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = Int(slots[i])
            if s == 0 { return nil }
            let e = s - 1
            if hashes[e] == hash && bytesEqual(e, term) { return e }
            i = (i + 1) & mask
        }
    }

    private func bytesEqual(_ e: Int, _ term: UnsafeRawBufferPointer) -> Bool {
        let a = Int(starts[e]), b = Int(starts[e + 1])
        guard b - a == term.count else { return false }
        if term.isEmpty { return true }
        return arena.withUnsafeBytes { raw in memcmp(raw.baseAddress! + a, term.baseAddress!, term.count) == 0 }
    }

    func postings(term: String) -> [UInt32]? {
        var s = term
        return s.withUTF8 { u -> [UInt32]? in
            let raw = UnsafeRawBufferPointer(u)
            return find(hash: TermHash.hash(raw), term: raw).map { postings[$0] }
        }
    }

    /// Entries whose term starts with `prefix` (text terms only: field terms start with 0x01).
    func entries(prefix: String) -> [Int] {
        let p = Array(prefix.utf8)
        var out: [Int] = []
        arena.withUnsafeBytes { raw in
            for e in 0..<hashes.count {
                let a = Int(starts[e]), b = Int(starts[e + 1])
                guard b - a >= p.count, b > a, raw[a] >= 0x20 else { continue }
                var ok = true
                for k in 0..<p.count where raw[a + k] != p[k] {
                    ok = false
                    break
                }
                if ok { out.append(e) }
            }
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// The hash of a term's bytes for the head's term table: 8 bytes at a time
/// through a multiply-rotate round, finished with SplitMix64's mixer.
enum TermHash {
    @inline(__always) static func mix(_ v: UInt64) -> UInt64 {
        var z = v
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always) static func hash(_ raw: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var i = 0
        let n = raw.count
        while i + 8 <= n {
            let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let m = h ^ mix(w)
            h = (m &<< 27 | m &>> 37) &* 0x0000_0100_0000_01B3
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(raw[i]) << shift
            shift += 8
            i += 1
        }
        return mix(h ^ mix(tail ^ 0xD6E8_FEB8_6659_FD93))
    }
}
