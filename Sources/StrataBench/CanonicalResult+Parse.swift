import Foundation

extension CanonicalResult {
    /// Parses a Prometheus HTTP API query answer
    /// (`{"status":"success","data":{"resultType":…,"result":…}}`). An error
    /// envelope, or anything not in that shape, throws with the server's
    /// message.
    public static func parse(_ body: [UInt8]) throws(BenchError) -> CanonicalResult {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
        } catch {
            throw .badResponse("not JSON: \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        guard let top = json as? [String: Any] else { throw .badResponse("not a JSON object") }
        guard let status = top["status"] as? String else { throw .badResponse("no status") }
        guard status == "success" else {
            let type = top["errorType"] as? String ?? "?"
            let msg = top["error"] as? String ?? "?"
            throw .badResponse("\(type): \(msg)")
        }
        guard let data = top["data"] as? [String: Any], let type = data["resultType"] as? String,
            let result = data["result"]
        else { throw .badResponse("no data.resultType/result") }
        switch type {
        case "matrix":
            guard let items = result as? [Any] else { throw .badResponse("matrix result is not an array") }
            var series: [Series] = []
            for item in items {
                guard let obj = item as? [String: Any], let values = obj["values"] as? [Any] else {
                    throw .badResponse("matrix element without values")
                }
                var points: [Point] = []
                for v in values { points.append(try point(v)) }
                series.append(Series(labels: try labels(obj["metric"]), points: points))
            }
            return CanonicalResult(resultType: type, series: series)
        case "vector":
            guard let items = result as? [Any] else { throw .badResponse("vector result is not an array") }
            var series: [Series] = []
            for item in items {
                guard let obj = item as? [String: Any], let v = obj["value"] else {
                    throw .badResponse("vector element without value")
                }
                series.append(Series(labels: try labels(obj["metric"]), points: [try point(v)]))
            }
            return CanonicalResult(resultType: type, series: series)
        case "scalar", "string":
            return CanonicalResult(resultType: type, series: [Series(labels: [], points: [try point(result)])])
        default:
            throw .badResponse("unknown resultType \(type)")
        }
    }

    private static func labels(_ any: Any?) throws(BenchError) -> [Pair] {
        guard let any else { return [] }
        guard let dict = any as? [String: Any] else { throw .badResponse("metric is not an object") }
        var pairs: [Pair] = []
        for (k, v) in dict {
            guard let s = v as? String else { throw .badResponse("label \(k) is not a string") }
            pairs.append(Pair(k, s))
        }
        return pairs
    }

    /// `[t, "v"]` with t in seconds (a JSON number) → ms and the value text.
    private static func point(_ any: Any) throws(BenchError) -> Point {
        guard let pair = any as? [Any], pair.count == 2, let v = pair[1] as? String else {
            throw .badResponse("sample is not [t, \"v\"]")
        }
        let seconds: Double
        if let n = pair[0] as? NSNumber {
            seconds = n.doubleValue
        } else if let s = pair[0] as? String, let d = Double(s) {
            seconds = d
        } else {
            throw .badResponse("sample time is not a number")
        }
        return Point(t: Int64((seconds * 1000).rounded()), value: v)
    }
}
