import StrataQuery
import StrataStorage

/// `metrics_update` payloads. The part after the subscription id is
/// serialised once per shared evaluation and copied behind each member's id.
///
/// Initial result:
/// `{"id":"a","initial":true,"query":"up","range":3600,"step":15,"start":…,"end":…,"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"],…]}]}`
///
/// Update (only series with new or changed points; `removed` lists grid
/// times whose point no longer exists):
/// `{"id":"a","start":…,"end":…,"resultType":"matrix","result":[{"metric":{…},"values":[[t,"v"]],"removed":[t]}]}`
///
/// Times are Unix seconds and values strings, exactly as `/api/v1/query_range` writes them.
enum SubscriptionMessages {
    static func initialBody(_ result: [RangeSeries], key: SubscriptionKey, start: Int64, end: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: 256 + result.reduce(0) { $0 + 64 + $1.timestamps.count * 24 })
        w.raw("\"initial\":true,\"query\":")
        w.string(key.query)
        w.raw(",\"range\":")
        PromNumber.appendTimestamp(key.rangeMs, to: &w.bytes)
        w.raw(",\"step\":")
        PromNumber.appendTimestamp(key.stepMs, to: &w.bytes)
        w.raw(",\"start\":")
        PromNumber.appendTimestamp(start, to: &w.bytes)
        w.raw(",\"end\":")
        PromNumber.appendTimestamp(end, to: &w.bytes)
        w.raw(",\"resultType\":\"matrix\",\"result\":[")
        for (i, s) in result.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"metric\":")
            w.labels(s.labels)
            w.raw(",\"values\":[")
            for k in 0..<s.timestamps.count {
                if k > 0 { w.byte(UInt8(ascii: ",")) }
                w.samplePair(s.timestamps[k], s.values[k])
            }
            w.raw("]}")
        }
        w.raw("]}")
        return w.bytes
    }

    static func updateBody(_ updates: [SubscriptionWindow.SeriesUpdate], start: Int64, end: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: 128 + updates.reduce(0) { $0 + 64 + $1.points.ts.count * 24 })
        w.raw("\"start\":")
        PromNumber.appendTimestamp(start, to: &w.bytes)
        w.raw(",\"end\":")
        PromNumber.appendTimestamp(end, to: &w.bytes)
        w.raw(",\"resultType\":\"matrix\",\"result\":[")
        for (i, u) in updates.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.raw("{\"metric\":")
            w.labels(u.labels)
            w.raw(",\"values\":[")
            for k in 0..<u.points.ts.count {
                if k > 0 { w.byte(UInt8(ascii: ",")) }
                w.samplePair(u.points.ts[k], u.points.vs[k])
            }
            w.byte(UInt8(ascii: "]"))
            if !u.removed.isEmpty {
                w.raw(",\"removed\":[")
                for (k, t) in u.removed.enumerated() {
                    if k > 0 { w.byte(UInt8(ascii: ",")) }
                    PromNumber.appendTimestamp(t, to: &w.bytes)
                }
                w.byte(UInt8(ascii: "]"))
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("]}")
        return w.bytes
    }
}
