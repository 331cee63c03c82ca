import Testing
import StrataCodec
import StrataIngest

@Suite struct RemoteReadTests {
    @Test func decodesHandBuiltReadRequest() throws {
        let matcher1 = PB.len(3, PB.str(2, "__name__") + PB.str(3, "up"))                  // EQ is the default (0)
        let matcher2 = PB.len(3, PB.int64(1, 2) + PB.str(2, "job") + PB.str(3, "node.*"))
        let hints = PB.len(4, PB.int64(1, 15_000) + PB.str(2, "rate") + PB.int64(3, 1) + PB.int64(4, 2)
            + PB.str(5, "instance") + PB.str(5, "job") + PB.int64(6, 1) + PB.int64(7, 300_000))
        let query = PB.len(1, PB.int64(1, 1_000) + PB.int64(2, 2_000) + matcher1 + matcher2 + hints)
        // accepted_response_types packed: [STREAMED_XOR_CHUNKS, SAMPLES].
        let req = try ReadRequest.decode(query + PB.len(2, [1, 0]))
        var expectedHints = ReadRequest.Hints()
        expectedHints.stepMs = 15_000
        expectedHints.function = "rate"
        expectedHints.startMs = 1
        expectedHints.endMs = 2
        expectedHints.grouping = ["instance", "job"]
        expectedHints.by = true
        expectedHints.rangeMs = 300_000
        #expect(req == ReadRequest(
            queries: [ReadRequest.Query(
                startTimestampMs: 1_000, endTimestampMs: 2_000,
                matchers: [.init(.equal, "__name__", "up"), .init(.regexMatch, "job", "node.*")],
                hints: expectedHints)],
            acceptedResponseTypes: [.streamedXORChunks, .samples]))
        #expect(req.acceptsSamples)
    }

    @Test func acceptedResponseTypesUnpackedAndAbsent() throws {
        let q = PB.len(1, PB.int64(1, 5))
        let unpacked = try ReadRequest.decode(q + PB.int64(2, 1) + PB.int64(2, 7))
        #expect(unpacked.acceptedResponseTypes == [.streamedXORChunks, .unknown(7)])
        #expect(!unpacked.acceptsSamples)
        let none = try ReadRequest.decode(q)
        #expect(none.acceptedResponseTypes.isEmpty)
        #expect(none.acceptsSamples)
        #expect(none.queries[0].hints == nil)
    }

    @Test func readRequestRoundTrips() throws {
        var h = ReadRequest.Hints()
        h.stepMs = 1
        h.function = "sum"
        h.grouping = ["", "a"]
        h.by = true
        let req = ReadRequest(
            queries: [
                .init(startTimestampMs: -10, endTimestampMs: 99, matchers: [.init(.notEqual, "a", ""), .init(.regexNoMatch, "b", "c|d")], hints: h),
                .init(startTimestampMs: 0, endTimestampMs: 0, matchers: []),
            ],
            acceptedResponseTypes: [.samples, .streamedXORChunks])
        var bytes: [UInt8] = []
        req.encode(into: &bytes)
        #expect(try ReadRequest.decode(bytes) == req)
    }

    @Test func unknownMatcherTypeIsAnError() {
        let bad = PB.len(1, PB.len(3, PB.int64(1, 4) + PB.str(2, "a")))
        #expect {
            try ReadRequest.decode(bad)
        } throws: { error in
            let e = error as? ProtobufDecodeError
            return e?.reason == .invalidEnumValue(field: 1, value: 4) && e?.path == "queries[0].matchers[0]"
        }
    }

    @Test func readResponseMatchesHandBuiltBytes() {
        var enc = ReadResponseEncoder()
        enc.beginQueryResult()
        enc.appendSeries(labels: Labels(sortedUnchecked: [Label("__name__", "up")]), timestamps: [5], values: [1])
        enc.endQueryResult()
        enc.beginQueryResult()
        enc.endQueryResult()
        let series = PB.series(PB.label("__name__", "up"), PB.sample(5, 1))
        #expect(enc.bytes == PB.len(1, series) + PB.len(1, []))
    }

    @Test func readResponseRoundTrips() throws {
        var rng = SeededRandom(seed: 3)
        var results: [IngestBatch] = []
        for q in 0..<3 {
            var b = IngestBatch()
            // Enough series that a result's length needs a multi-byte varint.
            for s in 0..<(q * 40) {
                let n = Int.random(in: 0...5, using: &rng)
                b.append(
                    labels: Labels(sortedUnchecked: [Label("__name__", "m\(q)"), Label("i", "\(s)")]),
                    timestamps: (0..<n).map { Int64($0) * 15_000 },
                    values: (0..<n).map { _ in Double(bitPattern: rng.next()) })
            }
            results.append(b)
        }
        var enc = ReadResponseEncoder(reusing: [1, 2, 3])
        for r in results { enc.appendQueryResult(r) }
        var dec = ReadResponseDecoder()
        let back = try dec.decode(enc.bytes)
        #expect(back.count == results.count)
        for (a, b) in zip(back, results) {
            #expect(a.series.map(\.labels) == b.series.map(\.labels))
            #expect(a.timestamps == b.timestamps)
            #expect(a.values.map(\.bitPattern) == b.values.map(\.bitPattern))
        }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: 5)
        var dec = ReadResponseDecoder()
        for _ in 0..<3000 {
            let input = rng.bytes(Int.random(in: 0...40, using: &rng))
            _ = try? ReadRequest.decode(input)
            _ = try? dec.decode(input)
        }
    }
}
