import Hummingbird

/// Request parameters from the URL query and, for form POSTs, the body, as
/// Prometheus' API accepts them (`GET` and `POST application/x-www-form-urlencoded`).
/// Repeated keys such as `match[]` keep every value, in order.
public struct FormParameters: Sendable {
    public private(set) var pairs: [(String, String)] = []

    public init() {}

    public init(query: String?) {
        if let query { add(urlEncoded: Substring(query)) }
    }

    /// Parses `a=1&b=%20x+y`.
    public mutating func add(urlEncoded s: Substring) {
        for part in s.split(separator: "&", omittingEmptySubsequences: true) {
            if let eq = part.firstIndex(of: "=") {
                pairs.append((Self.decode(part[..<eq]), Self.decode(part[part.index(after: eq)...])))
            } else {
                pairs.append((Self.decode(part), ""))
            }
        }
    }

    public subscript(_ key: String) -> String? {
        // Prometheus (Go's r.FormValue) takes the first value.
        pairs.first { $0.0 == key }?.1
    }

    public func all(_ key: String) -> [String] { pairs.filter { $0.0 == key }.map(\.1) }

    static func decode(_ s: Substring) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var it = s.utf8.makeIterator()
        while let b = it.next() {
            if b == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), let h = it.next(), let l = it.next(), let hv = hex(h), let lv = hex(l) {
                out.append(hv << 4 | lv)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - 48
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - 87
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - 55
        default: return nil
        }
    }

    /// Query parameters plus, for a form POST, the decoded body.
    public static func from(_ request: inout Request, maxBody: Int = 8 << 20) async throws -> FormParameters {
        var p = FormParameters(query: request.uri.query)
        if request.method == .post,
           let ct = request.headers[.contentType], ct.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            let buf = try await request.collectBody(upTo: maxBody)
            p.add(urlEncoded: Substring(String(buffer: buf)))
        }
        return p
    }
}
