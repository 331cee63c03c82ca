import Testing
import StrataCodec
import StrataIngest

@Suite struct RemoteWriteTests {
    static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

    func decode(_ bytes: [UInt8]) throws(ProtobufDecodeError) -> IngestBatch {
        var d = WriteRequestDecoder()
        var b = IngestBatch()
        try d.decode(bytes, into: &b)
        return b
    }

    func decodeError(_ bytes: [UInt8]) -> ProtobufDecodeError? {
        do {
            _ = try decode(bytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func decodesHandBuiltRequest() throws {
        let req = PB.series(
            PB.label("__name__", "up"), PB.label("job", "node"),
            PB.sample(1_700_000_000_000, 1), PB.sample(1_700_000_015_000, Self.staleNaN)
        ) + PB.series(
            // Unsorted on purpose, and samples before labels.
            PB.sample(-5, -0.0),
            PB.label("zone", "b"), PB.label("__name__", "x")
        )
        let b = try decode(req)
        #expect(b.series.count == 2)
        #expect(b.series[0].labels.pairs == [Label("__name__", "up"), Label("job", "node")])
        #expect(b.series[0].labelsSorted)
        #expect(b.series[0].samples == 0..<2)
        #expect(b.timestamps == [1_700_000_000_000, 1_700_000_015_000, -5])
        #expect(b.values[0] == 1)
        #expect(b.values[1].bitPattern == Self.staleNaN.bitPattern)
        #expect(b.values[2].bitPattern == (-0.0 as Double).bitPattern)
        // Order as sent, flagged unsorted, which validate() refuses.
        #expect(b.series[1].labels.pairs == [Label("zone", "b"), Label("__name__", "x")])
        #expect(!b.series[1].labelsSorted)
        #expect(throws: LabelError.unsorted("__name__")) { try b.series[1].labels.validate() }
        try b.series[0].labels.validate()
    }

    @Test func missingFieldsReadAsDefaults() throws {
        // An empty Sample message is (t 0, v 0); an empty Label is ("", "").
        let b = try decode(PB.series(PB.len(1, []), PB.len(2, [])))
        #expect(b.series[0].labels.pairs == [Label("", "")])
        #expect(b.timestamps == [0])
        #expect(b.values == [0])
    }

    @Test func metadataOnlyRequestDecodes() throws {
        let md = PB.len(3, PB.int64(1, 1) + PB.str(2, "http_requests_total") + PB.str(4, "Requests.") + PB.str(5, "requests"))
        let md2 = PB.len(3, PB.int64(1, 99) + PB.str(2, "weird"))
        let b = try decode(md + md2)
        #expect(b.series.isEmpty)
        #expect(b.sampleCount == 0)
        #expect(b.metadata == [
            MetricMetadata(type: .counter, familyName: "http_requests_total", help: "Requests.", unit: "requests"),
            MetricMetadata(type: .unknown, familyName: "weird"),
        ])
        #expect(try decode([]).isEmpty)
    }

    @Test func skipsUnknownFieldsOfEveryWireType() throws {
        let unknown = PB.int64(15, 7) + PB.fixed64(16, 1) + PB.len(17, [1, 2, 3]) + PB.tag(18, 5) + [1, 2, 3, 4]
        let label = PB.len(1, unknown + PB.str(1, "__name__") + unknown + PB.str(2, "m"))
        let sample = PB.len(2, unknown + PB.fixed64(1, (2.5).bitPattern) + PB.int64(2, 9) + PB.len(3, [1, 2]))
        let req = unknown + PB.len(2, [0xAA]) + PB.series(unknown, label, sample, unknown) + unknown
        let b = try decode(req)
        #expect(b.series.count == 1)
        #expect(b.series[0].labels.pairs == [Label("__name__", "m")])
        #expect(b.timestamps == [9])
        #expect(b.values == [2.5])
    }

    @Test func exemplarsAndHistogramsAreSkippedAndCounted() throws {
        let exemplar = PB.len(3, PB.label("trace_id", "abc") + PB.fixed64(2, (1.0).bitPattern) + PB.int64(3, 5))
        let histogram = PB.len(4, PB.int64(1, 10) + PB.fixed64(3, (2.0).bitPattern) + PB.int64(15, 5))
        let b = try decode(PB.series(PB.label("__name__", "h"), exemplar, histogram, histogram, PB.sample(1, 1)))
        #expect(b.skipped.exemplars == 1)
        #expect(b.skipped.histograms == 2)
        #expect(b.sampleCount == 1)
    }

    @Test func truncatedVarintIsAnError() {
        // A tag whose varint never ends.
        let e = decodeError([0x8A])
        #expect(e?.reason == .truncated)
        #expect(e?.offset == 0)
        // A sample timestamp cut mid-varint, inside a length that says so.
        let sample = PB.fixed64(1, 0) + PB.tag(2, 0) + [0xFF, 0xFF]
        let e2 = decodeError(PB.series(PB.label("a", "b"), PB.len(2, sample)))
        #expect(e2?.reason == .truncated)
        #expect(e2?.path == "timeseries[0].samples[0]")
    }

    @Test func lengthBeyondEndIsAnErrorWithOffset() {
        // A TimeSeries claiming 100 bytes with 2 present.
        let e = decodeError(PB.tag(1, 2) + PB.varint(100) + [0x0A, 0x00])
        #expect(e?.reason == .lengthBeyondEnd(length: 100, available: 2))
        #expect(e?.offset == 1)
        #expect(e?.path == "timeseries[0]")
        // A label value claiming more than its Label message holds.
        let label = PB.len(1, PB.str(1, "a") + PB.tag(2, 2) + PB.varint(5) + [0x61])
        let req = PB.series(PB.label("x", "y"), label)
        let e2 = decodeError(req)
        #expect(e2?.reason == .lengthBeyondEnd(length: 5, available: 1))
        #expect(e2?.path == "timeseries[0].labels[1].value")
    }

    @Test func wrongWireTypesAreErrors() {
        // `timeseries` as a varint.
        #expect(decodeError(PB.int64(1, 5))?.reason == .wrongWireType(field: 1, expected: 2, actual: 0))
        // A sample value as a varint instead of a fixed64.
        let e = decodeError(PB.series(PB.len(2, PB.int64(1, 3))))
        #expect(e?.reason == .wrongWireType(field: 1, expected: 1, actual: 0))
        #expect(e?.path == "timeseries[0].samples[0]")
        // A timestamp as a fixed64.
        let e2 = decodeError(PB.series(PB.len(2, PB.fixed64(2, 3))))
        #expect(e2?.reason == .wrongWireType(field: 2, expected: 0, actual: 1))
        // A label name as a varint.
        let e3 = decodeError(PB.series(PB.len(1, PB.int64(1, 3))))
        #expect(e3?.reason == .wrongWireType(field: 1, expected: 2, actual: 0))
        #expect(e3?.path == "timeseries[0].labels[0].name")
    }

    @Test func invalidTagsAreErrors() {
        #expect(decodeError(PB.tag(9, 7))?.reason == .invalidWireType(7))
        #expect(decodeError(PB.tag(9, 6))?.reason == .invalidWireType(6))
        #expect(decodeError(PB.tag(9, 3))?.reason == .unsupportedGroup)
        #expect(decodeError([0x02, 0x00])?.reason == .invalidFieldNumber(0))
        #expect(decodeError(PB.varint(UInt64(1) << 35 | 2))?.reason == .invalidFieldNumber(UInt64(1) << 32))
        // 11-byte varint.
        #expect(decodeError([UInt8](repeating: 0xFF, count: 10) + [0x01])?.reason == .varintOverflow)
        // Truncated fixed64 / fixed32 of unknown fields.
        #expect(decodeError(PB.tag(9, 1) + [1, 2, 3])?.reason == .truncated)
        #expect(decodeError(PB.tag(9, 5) + [1, 2, 3])?.reason == .truncated)
    }

    @Test func invalidUTF8LabelsAreRejected() {
        let badName = PB.len(1, PB.len(1, [0x66, 0xFF, 0x6F]) + PB.str(2, "v"))
        let e = decodeError(PB.series(badName))
        #expect(e?.reason == .invalidUTF8)
        #expect(e?.path == "timeseries[0].labels[0].name")
        // Overlong encoding of '/' and a lone surrogate (ED A0 80) are invalid UTF-8 too.
        for bad: [UInt8] in [[0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xE2, 0x82]] {
            let label = PB.len(1, PB.str(1, "a") + PB.len(2, bad))
            let e2 = decodeError(PB.series(label))
            #expect(e2?.reason == .invalidUTF8)
            #expect(e2?.path == "timeseries[0].labels[0].value")
        }
        // Valid multi-byte UTF-8 is kept.
        let ok = try? decode(PB.series(PB.label("city", "Zürich ☃ 𝄞")))
        #expect(ok?.series[0].labels.pairs == [Label("city", "Zürich ☃ 𝄞")])
    }

    @Test func errorsLeaveTheBatchAsItWas() throws {
        var d = WriteRequestDecoder()
        var b = IngestBatch()
        try d.decode(PB.series(PB.label("__name__", "a"), PB.sample(1, 1)), into: &b)
        let bad = PB.series(PB.label("__name__", "b"), PB.sample(2, 2)) + PB.series(PB.label("__name__", "c"), [0x12, 0x05])
        #expect(throws: ProtobufDecodeError.self) { try d.decode(bad, into: &b) }
        #expect(b.series.count == 1)
        #expect(b.sampleCount == 1)
        #expect(b.values.count == 1)
    }

    @Test func roundTripsRandomBatches() throws {
        var rng = SeededRandom(seed: 7)
        let alphabet = ["a", "b", "job", "__name__", "instance", "é", "☃", "x_y", "", "long_label_value_with_more_than_15_bytes"]
        var d = WriteRequestDecoder()
        var bytes: [UInt8] = []
        var decoded = IngestBatch()
        for _ in 0..<50 {
            var batch = IngestBatch()
            for _ in 0..<Int.random(in: 0...20, using: &rng) {
                let labels = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                    Label(alphabet.randomElement(using: &rng)!, alphabet.randomElement(using: &rng)!)
                }
                let n = Int.random(in: 0...10, using: &rng)
                let ts = (0..<n).map { _ in Int64.random(in: .min ... .max, using: &rng) }
                let vs = (0..<n).map { _ in Double(bitPattern: rng.next()) }
                batch.append(labels: Labels(sortedUnchecked: labels), timestamps: ts, values: vs)
            }
            if Bool.random(using: &rng) {
                batch.appendMetadata(MetricMetadata(type: .histogram, familyName: "f", help: "h\nelp", unit: "s"))
            }
            bytes.removeAll()
            WriteRequestEncoder.encode(batch, into: &bytes)
            decoded.reset()
            try d.decode(bytes, into: &decoded)
            #expect(decoded.series.map(\.labels) == batch.series.map(\.labels))
            #expect(decoded.series.map(\.samples) == batch.series.map(\.samples))
            #expect(decoded.timestamps == batch.timestamps)
            #expect(decoded.values.map(\.bitPattern) == batch.values.map(\.bitPattern))
            #expect(decoded.metadata == batch.metadata)
        }
    }

    @Test func encoderMatchesHandBuiltBytes() {
        var batch = IngestBatch()
        batch.append(labels: Labels(sortedUnchecked: [Label("__name__", "up"), Label("job", "n")]), timestamps: [1000, 0], values: [1.5, 0])
        var out: [UInt8] = []
        WriteRequestEncoder.encode(batch, into: &out)
        // Proto3 omits default values: a (0, +0.0) sample is an empty message.
        let expected = PB.series(PB.label("__name__", "up"), PB.label("job", "n"), PB.sample(1000, 1.5), PB.len(2, []))
        #expect(out == expected)
    }

    @Test func snappyBodies() throws {
        var batch = IngestBatch()
        batch.append(labels: Labels(sortedUnchecked: [Label("__name__", "m")]), timestamps: [1, 2, 3], values: [1, 2, 3])
        var raw: [UInt8] = []
        WriteRequestEncoder.encode(batch, into: &raw)
        var body: [UInt8] = []
        Snappy.compress(raw, into: &body)

        var d = WriteRequestDecoder()
        var scratch: [UInt8] = []
        var out = IngestBatch()
        try d.decode(snappyBody: body, scratch: &scratch, into: &out)
        #expect(out.values == [1, 2, 3])

        // 4 GiB claimed by a tiny body: refused before allocating.
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] + [UInt8](repeating: 0, count: 95)
        #expect(throws: RemoteWriteError.snappy(.decodedLengthExceedsLimit(declared: Int(UInt32.max), limit: 32 << 20))) {
            try d.decode(snappyBody: huge, scratch: &scratch, into: &out)
        }
        // Not snappy at all.
        #expect(throws: RemoteWriteError.self) {
            try d.decode(snappyBody: Array("not snappy at all".utf8), scratch: &scratch, into: &out)
        }
        // Valid snappy, invalid protobuf.
        Snappy.compress([0x0A, 0x64, 0x01], into: &body)
        #expect(throws: RemoteWriteError.protobuf(ProtobufDecodeError(.lengthBeyondEnd(length: 100, available: 1), offset: 1, path: "timeseries[0]"))) {
            try d.decode(snappyBody: body, scratch: &scratch, into: &out)
        }
    }

    @Test func randomAndMutatedInputsNeverTrap() {
        var rng = SeededRandom(seed: 99)
        var valid: [UInt8] = []
        var batch = IngestBatch()
        batch.append(labels: Labels(sortedUnchecked: [Label("__name__", "cpu"), Label("mode", "idle")]), timestamps: [1, 2], values: [0.5, 1])
        batch.appendMetadata(MetricMetadata(type: .gauge, familyName: "cpu", help: "x"))
        WriteRequestEncoder.encode(batch, into: &valid)
        var d = WriteRequestDecoder()
        var out = IngestBatch()
        for i in 0..<5000 {
            var input: [UInt8]
            if i % 2 == 0 {
                input = rng.bytes(Int.random(in: 0...48, using: &rng))
            } else {
                input = valid
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    input[Int.random(in: 0..<input.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
                input.removeLast(Int.random(in: 0...3, using: &rng))
            }
            out.reset()
            do {
                try d.decode(input, into: &out)
                // Whatever decoded is internally consistent.
                #expect(out.timestamps.count == out.values.count)
                #expect(out.series.allSatisfy { $0.samples.upperBound <= out.sampleCount })
            } catch {
                #expect(error.offset >= 0 && error.offset <= input.count)
                #expect(out.sampleCount == 0 && out.series.isEmpty)
            }
        }
    }
}
