/// A JSON value for message payloads published by other parts of the server
/// (alerts, audit, activity). Written with `JSONWriter`, so publishing does
/// not go through Foundation's encoder.
///
/// ```swift
/// hub.publish(channel: .alerts, type: "alert", payload: [
///     "name": "HighLatency", "state": "firing", "value": 0.93,
/// ])
/// ```
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    /// Non-finite doubles are written as `null` (JSON has no NaN).
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Keys are written in the order given.
    case object([(String, JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.double(let x), .double(let y)): return x.bitPattern == y.bitPattern
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Appends the value's JSON text.
    public func write(to w: inout JSONWriter) {
        switch self {
        case .null: w.raw("null")
        case .bool(let b): w.bool(b)
        case .int(let i): w.int64(i)
        case .double(let d):
            if d.isFinite, d == d.rounded(.towardZero), abs(d) < 1e15 {
                w.int64(Int64(d))
            } else {
                w.number(d)
            }
        case .string(let s): w.string(s)
        case .array(let a):
            w.byte(UInt8(ascii: "["))
            for (i, v) in a.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                v.write(to: &w)
            }
            w.byte(UInt8(ascii: "]"))
        case .object(let o):
            w.byte(UInt8(ascii: "{"))
            for (i, (k, v)) in o.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(k)
                w.byte(UInt8(ascii: ":"))
                v.write(to: &w)
            }
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// The value's JSON text.
    public var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 64)
        write(to: &w)
        return w.bytes
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o.first { $0.0 == key }?.1
    }

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    /// Integers, and doubles that are whole numbers.
    public var int64Value: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.isFinite && d == d.rounded(.towardZero) && abs(d) < 9e18: return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
}
