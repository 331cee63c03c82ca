// libFuzzer target: the write-ahead log's record payload decoders and its
// segment reader (docs/format/wal.md). Every input is tried three ways:
// as one record payload; as a segment file exactly as given (so the
// checksum check is exercised); and as a segment whose fragment checksums
// the harness recomputes first, so that mutations reach the fragment
// sequence and record decoding behind the CRC. Invariants: record decode
// → encode → decode is the same; the reader terminates, stops at the first
// damage and never reports a valid end beyond the input.
import FuzzChecks
import FuzzDriver
import StrataCodec
import StrataStorage

@_cdecl("FuzzWALRecord_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = roundTripRecord(bytes)
    readSegment(bytes)
    var patched = Array(bytes)
    fixChecksums(&patched)
    patched.withUnsafeBytes { readSegment($0) }
    return 0
}

/// Decodes one record payload by its type byte and checks the round trip.
/// Throws what replay would report as bad content.
func roundTripRecord(_ payload: UnsafeRawBufferPointer) -> Bool {
    guard let type = payload.first else { return false }
    switch WALRecordType(rawValue: type) {
    case .series:
        var entries: [(ref: SeriesRef, labels: Labels)] = []
        do { try WALRecord.decodeSeries(payload) { entries.append(($0, $1)) } } catch { return false }
        var out: [UInt8] = []
        WALRecord.encodeSeries(entries, into: &out)
        var again: [(ref: SeriesRef, labels: Labels)] = []
        let ok = out.withUnsafeBytes { raw in (try? WALRecord.decodeSeries(raw) { again.append(($0, $1)) }) != nil }
        require(ok, "re-encoded series record does not decode")
        require(again.count == entries.count, "series count \(again.count) vs \(entries.count)")
        for (a, b) in zip(again, entries) {
            require(a.ref == b.ref && a.labels.pairs.map(\.name) == b.labels.pairs.map(\.name)
                    && a.labels.pairs.map(\.value) == b.labels.pairs.map(\.value), "series entry differs")
        }
        if entries.count == 1 {
            var single: [UInt8] = []
            WALRecord.encodeSeries(ref: entries[0].ref, labels: entries[0].labels, into: &single)
            require(single == out, "single-series encoder differs from the list encoder")
        }
    case .samples:
        var refs: [SeriesRef] = [], ts: [Int64] = [], vs: [Double] = []
        do {
            try WALRecord.decodeSamples(payload) { r, t, v in refs.append(r); ts.append(t); vs.append(v) }
        } catch { return false }
        var out: [UInt8] = []
        refs.withUnsafeBufferPointer { r in
            ts.withUnsafeBufferPointer { t in
                vs.withUnsafeBufferPointer { v in WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &out) }
            }
        }
        var refs2: [SeriesRef] = [], ts2: [Int64] = [], vs2: [Double] = []
        let ok = out.withUnsafeBytes { raw in
            (try? WALRecord.decodeSamples(raw) { r, t, v in refs2.append(r); ts2.append(t); vs2.append(v) }) != nil
        }
        require(ok, "re-encoded samples record does not decode")
        require(refs2 == refs && ts2 == ts && vs2.map(\.bitPattern) == vs.map(\.bitPattern), "samples differ after re-encoding")
    case .tombstones:
        var entries: [(ref: SeriesRef, mint: Int64, maxt: Int64)] = []
        do { try WALRecord.decodeTombstones(payload) { entries.append(($0, $1, $2)) } } catch { return false }
        var out: [UInt8] = []
        WALRecord.encodeTombstones(entries, into: &out)
        var again: [(ref: SeriesRef, mint: Int64, maxt: Int64)] = []
        let ok = out.withUnsafeBytes { raw in (try? WALRecord.decodeTombstones(raw) { again.append(($0, $1, $2)) }) != nil }
        require(ok, "re-encoded tombstones record does not decode")
        require(again.count == entries.count && zip(again, entries).allSatisfy { $0.ref == $1.ref && $0.mint == $1.mint && $0.maxt == $1.maxt },
                "tombstones differ after re-encoding")
    case nil:
        return false
    }
    return true
}

func readSegment(_ bytes: UnsafeRawBufferPointer) {
    var scratch: [UInt8] = []
    var seen = 0
    let outcome = WALSegmentReader.read(segment: 7, bytes: bytes, scratch: &scratch) { payload throws(WALCorruption) in
        seen += 1
        if !roundTripRecord(payload) {
            throw WALCorruption(segment: 7, offset: 0, reason: .badContent("undecodable record"))
        }
    }
    require(outcome.validEnd <= bytes.count, "valid end \(outcome.validEnd) beyond \(bytes.count) bytes")
    require(outcome.records <= seen, "\(outcome.records) records counted, \(seen) delivered")
    if let c = outcome.corruption {
        require(c.segment == 7 && c.offset >= 0 && c.offset <= bytes.count, "corruption at \(c.offset) of \(bytes.count)")
        require(c.offset >= outcome.validEnd || outcome.validEnd == 0, "damage at \(c.offset) before valid end \(outcome.validEnd)")
        _ = c.description
    } else {
        require(outcome.validEnd == bytes.count || bytes.count < WALSegment.headerSize, "clean segment ends at \(outcome.validEnd) of \(bytes.count)")
    }
    // Reading again from where the first read ended finds nothing more valid.
    if outcome.validEnd >= WALSegment.headerSize {
        let rest = WALSegmentReader.read(segment: 7, bytes: bytes, scratch: &scratch, from: outcome.validEnd) { _ throws(WALCorruption) in }
        require(rest.validEnd >= outcome.validEnd, "resumed read moved the valid end backwards")
    }
}

/// Rewrites each fragment's CRC (as the writer computes it: CRC32C of the
/// kind and length bytes, then of the payload) so the reader looks past it.
func fixChecksums(_ seg: inout [UInt8]) {
    guard seg.count >= WALSegment.headerSize else { return }
    var pos = WALSegment.headerSize
    let h = WALSegment.fragmentHeaderSize
    while seg.count - pos >= h {
        let len = Int(seg[pos + 1]) | Int(seg[pos + 2]) << 8 | Int(seg[pos + 3]) << 16 | Int(seg[pos + 4]) << 24
        guard len <= seg.count - pos - h else { return }
        let crc = seg.withUnsafeBytes { raw in
            CRC32C.update(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[pos..<(pos + 5)])),
                          UnsafeRawBufferPointer(rebasing: raw[(pos + h)..<(pos + h + len)]))
        }
        seg.setUInt32LE(crc, at: pos + 5)
        pos += h + len
    }
}
