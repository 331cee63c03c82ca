/// Decodes a SAMPLES `ReadResponse` (for remote read clients and tests):
/// one `IngestBatch` per query result, in the response's order.
public struct ReadResponseDecoder: Sendable {
    var series = WriteRequestDecoder()

    public init() {}

    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtobufDecodeError) -> [IngestBatch] {
        var r = ProtoReader(bytes)
        var results: [IngestBatch] = []
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            guard field == 1 else {
                try r.skip(wire: wire)
                continue
            }
            do throws(ProtobufDecodeError) {
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                let saved = try r.enter()
                var batch = IngestBatch()
                var index = 0
                while !r.isAtEnd {
                    let seriesTag = r.pos
                    let (f, w) = try r.readTag()
                    guard f == 1 else {
                        try r.skip(wire: w)
                        continue
                    }
                    do throws(ProtobufDecodeError) {
                        try r.expect(w, .lengthDelimited, field: f, tagOffset: seriesTag)
                        let inner = try r.enter()
                        try series.decodeTimeSeries(&r, into: &batch)
                        r.exit(inner)
                    } catch { throw error.within("timeseries[\(index)]") }
                    index += 1
                }
                r.exit(saved)
                results.append(batch)
            } catch { throw error.within("results[\(results.count)]") }
        }
        return results
    }

    public mutating func decode(_ bytes: [UInt8]) throws(ProtobufDecodeError) -> [IngestBatch] {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(ProtobufDecodeError) in try decode(raw) } }
        return try r.get()
    }
}
