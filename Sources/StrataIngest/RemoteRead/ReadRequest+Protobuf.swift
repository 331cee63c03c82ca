import StrataCodec

extension ReadRequest {
    /// Decodes a (snappy-decompressed) `ReadRequest`.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtobufDecodeError) -> ReadRequest {
        var r = ProtoReader(bytes)
        var req = ReadRequest(queries: [])
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    req.queries.append(try decodeQuery(&r))
                    r.exit(saved)
                } catch { throw error.within("queries[\(req.queries.count)]") }
            case 2:
                // proto3 packs repeated enums by default, but parsers must
                // accept both the packed and the unpacked encoding.
                if wire == WireType.lengthDelimited.rawValue {
                    let saved = try r.enter()
                    while !r.isAtEnd { req.acceptedResponseTypes.append(ResponseType(raw: try r.readVarint())) }
                    r.exit(saved)
                } else {
                    try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                    req.acceptedResponseTypes.append(ResponseType(raw: try r.readVarint()))
                }
            default:
                try r.skip(wire: wire)
            }
        }
        return req
    }

    public static func decode(_ bytes: [UInt8]) throws(ProtobufDecodeError) -> ReadRequest {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(ProtobufDecodeError) in try decode(raw) } }
        return try r.get()
    }

    static func decodeQuery(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> Query {
        var q = Query(startTimestampMs: 0, endTimestampMs: 0, matchers: [])
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                q.startTimestampMs = Int64(bitPattern: try r.readVarint())
            case 2:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                q.endTimestampMs = Int64(bitPattern: try r.readVarint())
            case 3:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    q.matchers.append(try decodeMatcher(&r))
                    r.exit(saved)
                } catch { throw error.within("matchers[\(q.matchers.count)]") }
            case 4:
                do throws(ProtobufDecodeError) {
                    try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                    let saved = try r.enter()
                    q.hints = try decodeHints(&r)
                    r.exit(saved)
                } catch { throw error.within("hints") }
            default:
                try r.skip(wire: wire)
            }
        }
        return q
    }

    static func decodeMatcher(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> Matcher {
        var m = Matcher(.equal, "", "")
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                let raw = try r.readVarint()
                // Unlike metadata types, an unknown matcher type can't be
                // evaluated: guessing would return wrong series.
                guard raw <= 3, let t = Matcher.MatchType(rawValue: Int(raw)) else {
                    throw ProtobufDecodeError(.invalidEnumValue(field: 1, value: raw), offset: tagOffset)
                }
                m.type = t
            case 2:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                m.name = try r.readString()
            case 3:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                m.value = try r.readString()
            default:
                try r.skip(wire: wire)
            }
        }
        return m
    }

    static func decodeHints(_ r: inout ProtoReader) throws(ProtobufDecodeError) -> Hints {
        var h = Hints()
        while !r.isAtEnd {
            let tagOffset = r.pos
            let (field, wire) = try r.readTag()
            switch field {
            case 1, 3, 4, 7:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                let v = Int64(bitPattern: try r.readVarint())
                switch field {
                case 1: h.stepMs = v
                case 3: h.startMs = v
                case 4: h.endMs = v
                default: h.rangeMs = v
                }
            case 2:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                h.function = try r.readString()
            case 5:
                try r.expect(wire, .lengthDelimited, field: field, tagOffset: tagOffset)
                h.grouping.append(try r.readString())
            case 6:
                try r.expect(wire, .varint, field: field, tagOffset: tagOffset)
                h.by = try r.readVarint() != 0
            default:
                try r.skip(wire: wire)
            }
        }
        return h
    }

    /// Encodes the request (for remote read clients and tests).
    public func encode(into out: inout [UInt8]) {
        for q in queries {
            out.appendProtoMessageHeader(1, size: Self.querySize(q))
            out.appendProtoInt64Field(1, q.startTimestampMs)
            out.appendProtoInt64Field(2, q.endTimestampMs)
            for m in q.matchers {
                out.appendProtoMessageHeader(3, size: Self.matcherSize(m))
                out.appendProtoInt64Field(1, Int64(m.type.rawValue))
                out.appendProtoStringField(2, m.name)
                out.appendProtoStringField(3, m.value)
            }
            if let h = q.hints {
                out.appendProtoMessageHeader(4, size: Self.hintsSize(h))
                out.appendProtoInt64Field(1, h.stepMs)
                out.appendProtoStringField(2, h.function)
                out.appendProtoInt64Field(3, h.startMs)
                out.appendProtoInt64Field(4, h.endMs)
                for g in h.grouping {
                    // Repeated strings are never packed; an empty one must
                    // still be written to keep its position.
                    out.appendProtoMessageHeader(5, size: g.utf8.count)
                    out.append(contentsOf: g.utf8)
                }
                out.appendProtoBoolField(6, h.by)
                out.appendProtoInt64Field(7, h.rangeMs)
            }
        }
        if !acceptedResponseTypes.isEmpty {
            let payload = acceptedResponseTypes.reduce(0) { $0 + uvarintSize($1.raw) }
            out.appendProtoMessageHeader(2, size: payload)
            for t in acceptedResponseTypes { out.appendUVarint(t.raw) }
        }
    }

    static func matcherSize(_ m: Matcher) -> Int {
        protoInt64FieldSize(field: 1, Int64(m.type.rawValue))
            + protoStringFieldSize(field: 2, m.name)
            + protoStringFieldSize(field: 3, m.value)
    }

    static func hintsSize(_ h: Hints) -> Int {
        var s = protoInt64FieldSize(field: 1, h.stepMs)
            + protoStringFieldSize(field: 2, h.function)
            + protoInt64FieldSize(field: 3, h.startMs)
            + protoInt64FieldSize(field: 4, h.endMs)
            + (h.by ? 2 : 0)
            + protoInt64FieldSize(field: 7, h.rangeMs)
        for g in h.grouping { s += protoLengthDelimitedSize(field: 5, payload: g.utf8.count) }
        return s
    }

    static func querySize(_ q: Query) -> Int {
        var s = protoInt64FieldSize(field: 1, q.startTimestampMs) + protoInt64FieldSize(field: 2, q.endTimestampMs)
        for m in q.matchers { s += protoLengthDelimitedSize(field: 3, payload: matcherSize(m)) }
        if let h = q.hints { s += protoLengthDelimitedSize(field: 4, payload: hintsSize(h)) }
        return s
    }
}
