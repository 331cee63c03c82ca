import StrataCodec

/// Decodes a Prometheus remote write 1.0 `WriteRequest` (already
/// snappy-decompressed) into an `IngestBatch`.
///
/// The subset of prompb (remote.proto / types.proto) read here, with field
/// numbers; see docs/format/remote-write.md:
///
///     WriteRequest   { repeated TimeSeries timeseries = 1; reserved 2;
///                      repeated MetricMetadata metadata = 3; }
///     TimeSeries     { repeated Label labels = 1; repeated Sample samples = 2;
///                      repeated Exemplar exemplars = 3;      // skipped, counted
///                      repeated Histogram histograms = 4; }  // skipped, counted as unsupported
///     Label          { string name = 1; string value = 2; }
///     Sample         { double value = 1; int64 timestamp = 2; }
///     MetricMetadata { MetricType type = 1; string metric_family_name = 2;
///                      string help = 4; string unit = 5; }
///
/// Unknown fields are skipped by wire type (forward compatibility); a known
/// field with the wrong wire type, a truncated element, a length running past
/// its enclosing message, or a non-UTF-8 string is a `ProtobufDecodeError`
/// with the byte offset and path. Labels keep the sender's order;
/// `Series.labelsSorted` says whether the names were in byte order.
///
/// A decoder holds scratch space; reuse one per connection or task.
public struct WriteRequestDecoder: Sendable {
    var labelScratch: [Label] = []
    /// Series seen before are recognised by their raw label bytes (see `SeriesCache`).
    public var cache: SeriesCache?

    public init(cache: SeriesCache? = nil) {
        self.cache = cache
    }

    /// Appends the request's series, samples and metadata to `batch` (call
    /// `batch.reset()` first to reuse it). On error the batch is restored to
    /// what it held before the call.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        let mark = batch.mark
        do throws(ProtobufDecodeError) {
            try decodeRequest(bytes, into: &batch)
        } catch {
            batch.rollback(to: mark)
            throw error
        }
    }

    mutating func decodeRequest(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        var r = ProtoReader(bytes)
        var seriesIndex = 0
        var metadataIndex = 0
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    try decodeTimeSeries(&r, into: &batch)
                    r.exit(saved)
                } catch {
                    throw error.within("timeseries[\(seriesIndex)]")
                }
                seriesIndex += 1
            case 3:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    batch.appendMetadata(try Self.decodeMetadata(&r))
                    r.exit(saved)
                } catch {
                    throw error.within("metadata[\(metadataIndex)]")
                }
                metadataIndex += 1
            default:
                try r.skip(wire: wire)
            }
        }
    }

    public mutating func decode(_ bytes: [UInt8], into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(ProtobufDecodeError) in try decode(raw, into: &batch) }
        }
        try result.get()
    }

    /// The byte span of the labels at the start of a TimeSeries body: the
    /// run of well-formed `labels` (field 1) elements before anything else.
    /// nil if a label appears after another field (then the cache is not used).
    static func leadingLabelSpan(_ r: ProtoReader) -> Range<Int>? {
        var p = r
        let start = p.pos
        var end = start
        while !p.isAtEnd {
            let before = p.pos
            guard let (field, wire) = try? p.readTag(), field == 1, wire == WireType.lengthDelimited.rawValue,
                  let range = try? p.readLengthDelimited() else {
                p.pos = before
                break
            }
            p.pos = range.upperBound
            end = p.pos
        }
        // Any later label field would break the "labels first" assumption.
        while !p.isAtEnd {
            guard let (field, wire) = try? p.readTag() else { return nil }
            if field == 1 { return nil }
            guard (try? p.skip(wire: wire)) != nil else { return nil }
        }
        return start..<end
    }

    /// Decodes one TimeSeries body (between `r.pos` and `r.end`).
    mutating func decodeTimeSeries(_ r: inout ProtoReader, into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        if let cache, let span = Self.leadingLabelSpan(r), !span.isEmpty {
            let raw = UnsafeRawBufferPointer(rebasing: r.base[span])
            let hash = FastHash.hash(raw)
            if let hit = cache.find(hash: hash, raw: raw) {
                // Known series: skip the label fields, read only the samples.
                r.pos = span.upperBound
                let sampleStart = batch.sampleCount
                try decodeSamplesOnly(&r, into: &batch)
                batch.commitSeries(labels: hit.labels, samplesFrom: sampleStart, labelsSorted: hit.labelsSorted, cacheEntry: hit)
                return
            }
            try decodeTimeSeriesFully(&r, into: &batch)
            if let last = batch.series.last {
                let entry = SeriesCache.Entry(labels: last.labels, labelsSorted: last.labelsSorted, raw: Array(raw), hash: hash)
                cache.insert(entry)
                batch.setCacheEntry(entry)
            }
            return
        }
        try decodeTimeSeriesFully(&r, into: &batch)
    }

    /// The rest of a TimeSeries whose labels were already consumed.
    mutating func decodeSamplesOnly(_ r: inout ProtoReader, into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        var sampleIndex = 0
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 2:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    let (t, v) = try Self.decodeSample(&r)
                    batch.appendSample(t, v)
                    r.exit(saved)
                } catch {
                    throw error.within("samples[\(sampleIndex)]")
                }
                sampleIndex += 1
            case 3:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                try r.skip(wire: wire)
                batch.skipped.exemplars += 1
            case 4:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                try r.skip(wire: wire)
                batch.skipped.histograms += 1
            default:
                try r.skip(wire: wire)
            }
        }
    }

    /// Decodes one TimeSeries body, building its label strings.
    mutating func decodeTimeSeriesFully(_ r: inout ProtoReader, into batch: inout IngestBatch) throws(ProtobufDecodeError) {
        labelScratch.removeAll(keepingCapacity: true)
        let sampleStart = batch.sampleCount
        var sorted = true
        var prevName: Range<Int> = 0..<0
        var sampleIndex = 0
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 2:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    let (t, v) = try Self.decodeSample(&r)
                    batch.appendSample(t, v)
                    r.exit(saved)
                } catch {
                    throw error.within("samples[\(sampleIndex)]")
                }
                sampleIndex += 1
            case 1:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    let (label, nameRange) = try Self.decodeLabel(&r)
                    if sorted && !labelScratch.isEmpty && Self.bytesLess(r.base, nameRange, prevName) {
                        sorted = false
                    }
                    prevName = nameRange
                    labelScratch.append(label)
                    r.exit(saved)
                } catch {
                    throw error.within("labels[\(labelScratch.count)]")
                }
            case 3:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                try r.skip(wire: wire)
                batch.skipped.exemplars += 1
            case 4:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                try r.skip(wire: wire)
                batch.skipped.histograms += 1
            default:
                try r.skip(wire: wire)
            }
        }
        // One exact-size allocation per series for its labels.
        batch.commitSeries(labels: Labels(sortedUnchecked: Array(labelScratch)), samplesFrom: sampleStart, labelsSorted: sorted)
    }

    /// Sample { double value = 1; int64 timestamp = 2; }. Missing fields are 0.
    @inline(__always)
    static func decodeSample(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> (Int64, Double) {
        var t: Int64 = 0
        var v: UInt64 = 0
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wire, .fixed64, field: field, tagOffset: tagOffset)
                v = try r.readFixed64()
            case 2:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                // int64 is two's complement in a varint (not zig-zag).
                t = Int64(bitPattern: try r.readVarint())
            default:
                try r.skip(wire: wire)
            }
        }
        // Bit-exact: staleness markers are a specific NaN payload.
        return (t, Double(bitPattern: v))
    }

    /// Label { string name = 1; string value = 2; }. Returns the name's byte
    /// range too, for the sortedness check.
    @inline(__always)
    static func decodeLabel(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> (Label, Range<Int>) {
        var name = ""
        var value = ""
        var nameRange = r.pos..<r.pos
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let range = try r.readLengthDelimited()
                    r.pos = range.upperBound
                    guard let s = makeValidatedString(r.base, range) else {
                        throw ProtobufDecodeError(.invalidUTF8, offset: range.lowerBound)
                    }
                    name = s
                    nameRange = range
                } catch { throw error.within("name") }
            case 2:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    value = try r.readString()
                } catch { throw error.within("value") }
            default:
                try r.skip(wire: wire)
            }
        }
        return (Label(name, value), nameRange)
    }

    static func decodeMetadata(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> MetricMetadata {
        var m = MetricMetadata(familyName: "")
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                let raw = try r.readVarint()
                // Open enum: values from a newer sender read as unknown.
                m.type = raw <= 7 ? (MetricMetadata.MetricType(rawValue: Int(raw)) ?? .unknown) : .unknown
            case 2:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                do throws(ProtobufDecodeError) { m.familyName = try r.readString() } catch { throw error.within("metric_family_name") }
            case 4:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                do throws(ProtobufDecodeError) { m.help = try r.readString() } catch { throw error.within("help") }
            case 5:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                do throws(ProtobufDecodeError) { m.unit = try r.readString() } catch { throw error.within("unit") }
            default:
                try r.skip(wire: wire)
            }
        }
        return m
    }

    /// Byte-wise `a < b`, the order `Labels` uses.
    @inline(__always)
    static func bytesLess(_ base: UnsafeRawBufferPointer, _ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let n = Swift.min(a.count, b.count)
        var i = 0
        while i < n {
            let x = base[a.lowerBound + i], y = base[b.lowerBound + i]
            if x != y { return x < y }
            i += 1
        }
        return a.count < b.count
    }
}
