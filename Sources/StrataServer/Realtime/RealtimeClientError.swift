/// An `error` message to a client: a message it sent could not be handled,
/// or one of its subscriptions failed.
///
/// ```json
/// {"type":"error","seq":9,"payload":{"id":"a","errorType":"bad_data",
///  "error":"1:6: parse error: unexpected \"(\"","position":{"line":1,"column":6,"start":5,"end":6}}}
/// ```
struct RealtimeClientError: Error, Sendable, Equatable {
    /// The subscription the error is about, if any.
    var id: String?
    /// Prometheus' error types: `bad_data`, `execution`, `timeout`, plus `limit`.
    var errorType: String
    var message: String
    /// Where in the query a parse error is (1-based line and byte column, byte offsets).
    var position: (line: Int, column: Int, start: Int, end: Int)?

    init(id: String? = nil, _ errorType: String, _ message: String, position: (line: Int, column: Int, start: Int, end: Int)? = nil) {
        self.id = id
        self.errorType = errorType
        self.message = message
        self.position = position
    }

    static func == (a: Self, b: Self) -> Bool {
        a.id == b.id && a.errorType == b.errorType && a.message == b.message
            && a.position?.line == b.position?.line && a.position?.column == b.position?.column
            && a.position?.start == b.position?.start && a.position?.end == b.position?.end
    }

    func write(to w: inout JSONWriter) {
        w.byte(UInt8(ascii: "{"))
        if let id {
            w.raw("\"id\":")
            w.string(id)
            w.byte(UInt8(ascii: ","))
        }
        w.raw("\"errorType\":")
        w.string(errorType)
        w.raw(",\"error\":")
        w.string(message)
        if let p = position {
            w.raw(",\"position\":{\"line\":")
            w.int(p.line)
            w.raw(",\"column\":")
            w.int(p.column)
            w.raw(",\"start\":")
            w.int(p.start)
            w.raw(",\"end\":")
            w.int(p.end)
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "}"))
    }
}
