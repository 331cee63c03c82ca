import StrataCodec

/// A remote write body failed either its snappy layer or its protobuf layer.
public enum RemoteWriteError: Error, Equatable, Sendable, CustomStringConvertible {
    case snappy(SnappyError)
    case protobuf(ProtobufDecodeError)

    public var description: String {
        switch self {
        case .snappy(let e): return e.description
        case .protobuf(let e): return e.description
        }
    }
}

extension WriteRequestDecoder {
    /// Decodes an HTTP remote write body: snappy block format, then protobuf.
    /// The declared decoded length is checked against `maxDecodedLength`
    /// before `scratch` grows; `scratch` is the caller's reusable buffer.
    public mutating func decode(
        snappyBody body: UnsafeRawBufferPointer,
        maxDecodedLength: Int = Snappy.defaultMaxDecodedLength,
        scratch: inout [UInt8],
        into batch: inout IngestBatch
    ) throws(RemoteWriteError) {
        do throws(SnappyError) {
            try Snappy.decompress(body, maxDecodedLength: maxDecodedLength, into: &scratch)
        } catch {
            throw .snappy(error)
        }
        do throws(ProtobufDecodeError) {
            try decode(scratch, into: &batch)
        } catch {
            throw .protobuf(error)
        }
    }

    public mutating func decode(
        snappyBody body: [UInt8],
        maxDecodedLength: Int = Snappy.defaultMaxDecodedLength,
        scratch: inout [UInt8],
        into batch: inout IngestBatch
    ) throws(RemoteWriteError) {
        let r = body.withUnsafeBytes { raw in
            Result { () throws(RemoteWriteError) in
                try decode(snappyBody: raw, maxDecodedLength: maxDecodedLength, scratch: &scratch, into: &batch)
            }
        }
        try r.get()
    }
}
