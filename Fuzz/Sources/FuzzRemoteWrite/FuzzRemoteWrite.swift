// libFuzzer target: Prometheus remote write 1.0 `WriteRequest` protobuf
// decoding (docs/format/remote-write.md), without and with the series
// cache. Invariants: a failed decode leaves the batch as it was; decode →
// encode → decode gives the same series, samples (bit-exact) and metadata;
// decoding through a warm `SeriesCache` (the cache-hit path that skips the
// label bytes) gives the same result as decoding without one.
import FuzzChecks
import FuzzDriver
import StrataCodec
import StrataIngest
import StrataStorage

@_cdecl("FuzzRemoteWrite_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var decoder = WriteRequestDecoder()
    var batch = IngestBatch()
    let failed: ProtobufDecodeError?
    do {
        try decoder.decode(bytes, into: &batch)
        failed = nil
    } catch {
        failed = error
        require(batch.isEmpty && batch.sampleCount == 0 && batch.skipped == IngestBatch.Skipped(), "failed decode left data in the batch")
        _ = error.description
    }
    checkShape(batch)

    // The cache path: the first pass fills the cache, the second hits it.
    let cache = SeriesCache(maxEntries: 64)
    var cached = WriteRequestDecoder(cache: cache)
    for pass in 0..<2 {
        var b = IngestBatch()
        do {
            try cached.decode(bytes, into: &b)
            require(failed == nil, "pass \(pass) with cache accepts what the plain decoder rejects")
            requireSame(b, batch, "pass \(pass) with cache")
        } catch {
            require(failed != nil, "pass \(pass) with cache rejects what the plain decoder accepts: \(error)")
            require(b.isEmpty, "failed decode left data in the batch")
        }
    }
    guard failed == nil else { return 0 }

    // Round trip through the encoder.
    var encoded: [UInt8] = []
    WriteRequestEncoder.encode(batch, into: &encoded)
    var again = IngestBatch()
    do {
        try WriteRequestDecoder().decodeCopy(encoded, into: &again)
    } catch {
        fatalError("re-encoded request does not decode: \(error)")
    }
    requireSame(again, batch, "after re-encoding")
    return 0
}

extension WriteRequestDecoder {
    func decodeCopy(_ bytes: [UInt8], into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        var d = self
        try d.decode(bytes, into: &batch)
    }
}


func requireSame(_ a: IngestBatch, _ b: IngestBatch, _ what: String) {
    checkShape(a)
    require(a.series.count == b.series.count, "\(what): \(a.series.count) vs \(b.series.count) series")
    for (x, y) in zip(a.series, b.series) {
        require(x.labels.pairs.map(\.name) == y.labels.pairs.map(\.name)
                && x.labels.pairs.map(\.value) == y.labels.pairs.map(\.value), "\(what): labels differ")
        require(x.samples == y.samples && x.labelsSorted == y.labelsSorted, "\(what): series shape differs")
    }
    require(a.timestamps == b.timestamps, "\(what): timestamps differ")
    require(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "\(what): values differ")
    require(a.metadata == b.metadata, "\(what): metadata differs")
}
