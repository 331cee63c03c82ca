// libFuzzer target: snappy block decompression of request bodies,
// including the declared-length checks made before anything is allocated
// (StrataCodec/Snappy.swift), and the whole remote write body path
// (snappy, then protobuf). Invariants: a success produces exactly the
// declared length; a declared length over the cap or beyond what the body
// can expand to is refused with that reason; compress → decompress of the
// output is the identity.
import FuzzChecks
import FuzzDriver
import StrataCodec
import StrataIngest

@_cdecl("FuzzSnappy_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

/// Small enough that libFuzzer's RSS limit never trips on a legal claim.
let cap = 1 << 20

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let declared = try? Snappy.decodedLength(bytes)
    var out: [UInt8] = [1, 2, 3]
    do {
        try Snappy.decompress(bytes, maxDecodedLength: cap, into: &out)
        guard let declared else { fatalError("invariant: decompressed without a valid preamble") }
        require(out.count == declared, "decoded \(out.count) bytes, declared \(declared)")
        require(declared <= cap, "declared \(declared) passed the cap")
    } catch {
        switch error {
        case .invalidPreamble:
            require(declared == nil, "preamble rejected by decompress, accepted by decodedLength")
        case .decodedLengthExceedsLimit(let d, let l):
            require(d == declared && d > l && l == cap, "limit error \(d)/\(l) for declared \(String(describing: declared))")
        case .decodedLengthImpossible(let d, let c):
            require(d == declared && c == size && d > 0, "impossible-length error \(d)/\(c)")
        case .corrupt:
            require(declared != nil, "corrupt without a preamble")
        }
        _ = error.description
        // The remote write path fails at the snappy layer too.
        var decoder = WriteRequestDecoder()
        var scratch: [UInt8] = []
        var batch = IngestBatch()
        do {
            try decoder.decode(snappyBody: bytes, maxDecodedLength: cap, scratch: &scratch, into: &batch)
            fatalError("invariant: remote write accepted a body snappy rejects")
        } catch {
            guard case .snappy(let e) = error, e == error.snappyError else {
                fatalError("invariant: remote write failed with \(error), not a snappy error")
            }
            require(batch.isEmpty, "failed decode left data in the batch")
        }
        return 0
    }

    // Round trip of the decompressed bytes.
    var compressed: [UInt8] = []
    Snappy.compress(out, into: &compressed)
    var back: [UInt8] = []
    do { try Snappy.decompress(compressed, maxDecodedLength: cap, into: &back) } catch {
        fatalError("invariant: snappy does not decompress its own output: \(error)")
    }
    require(back == out, "compress → decompress changed the bytes")

    // And the remote write body path on the same bytes: the protobuf layer
    // sees exactly the decompressed bytes.
    var decoder = WriteRequestDecoder()
    var scratch: [UInt8] = []
    var batch = IngestBatch()
    var plain = IngestBatch()
    let plainOK = (try? WriteRequestDecoder().decoding(out, into: &plain)) != nil
    do {
        try decoder.decode(snappyBody: bytes, maxDecodedLength: cap, scratch: &scratch, into: &batch)
        require(plainOK && batch.series.count == plain.series.count && batch.sampleCount == plain.sampleCount,
                "body path and plain decode disagree")
    } catch {
        guard case .protobuf = error else { fatalError("invariant: valid snappy failed at the snappy layer: \(error)") }
        require(!plainOK, "body path rejects what the plain decoder accepts")
    }
    return 0
}

extension RemoteWriteError {
    var snappyError: SnappyError? {
        if case .snappy(let e) = self { return e }
        return nil
    }
}

extension WriteRequestDecoder {
    func decoding(_ bytes: [UInt8], into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        var d = self
        try d.decode(bytes, into: &batch)
    }
}
