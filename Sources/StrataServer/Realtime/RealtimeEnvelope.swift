import NIOCore

/// The message envelope, both directions:
/// `{"type":"health_update","seq":12,"payload":{...}}` (docs/realtime.md).
enum RealtimeEnvelope {
    /// A server message whose payload is written by `payload`.
    static func encode(type: String, seq: UInt64, capacity: Int = 256, payload: (inout JSONWriter) -> Void) -> ByteBuffer {
        var w = JSONWriter(capacity: capacity)
        w.raw("{\"type\":")
        w.string(type)
        w.raw(",\"seq\":")
        w.bytes.append(contentsOf: String(seq).utf8)
        w.raw(",\"payload\":")
        payload(&w)
        w.byte(UInt8(ascii: "}"))
        return ByteBuffer(bytes: w.bytes)
    }

    /// A server message around an already serialised payload.
    static func encode(type: String, seq: UInt64, payloadJSON: [UInt8]) -> ByteBuffer {
        encode(type: type, seq: seq, capacity: payloadJSON.count + 64) { w in w.bytes.append(contentsOf: payloadJSON) }
    }
}

/// A message from a client: `type`, optional `seq`, and `payload` (an object, possibly empty).
struct ClientMessage: Sendable, Equatable {
    var type: String
    var seq: Int64?
    var payload: JSONValue

    enum ParseError: Error, Equatable, CustomStringConvertible {
        case json(JSONParseError)
        case shape(String)

        var description: String {
            switch self {
            case .json(let e): return e.description
            case .shape(let m): return m
            }
        }
    }

    static func parse(_ bytes: [UInt8]) throws(ParseError) -> ClientMessage {
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw .json(error) }
        guard case .object = v else { throw .shape("a message must be a JSON object with a \"type\"") }
        guard let type = v["type"]?.stringValue, !type.isEmpty else { throw .shape("missing \"type\"") }
        var seq: Int64?
        if let s = v["seq"], s != .null {
            guard let n = s.int64Value else { throw .shape("\"seq\" must be an integer") }
            seq = n
        }
        let payload = v["payload"] ?? .object([])
        if payload != .null, case .object = payload {} else if payload != .null {
            throw .shape("\"payload\" must be an object")
        }
        return ClientMessage(type: type, seq: seq, payload: payload == .null ? .object([]) : payload)
    }
}
