/// Why a benchmark step failed; the report carries the description.
public enum BenchError: Error, CustomStringConvertible, Sendable {
    case missingExecutable(String)
    case notReady(target: String, seconds: Double, log: String)
    case http(String)
    case io(String)
    case badResponse(String)
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .missingExecutable(let e): return "executable not found: \(e)"
        case .notReady(let t, let s, let log): return "\(t) not ready after \(s) s; log tail:\n\(log)"
        case .http(let m): return "HTTP: \(m)"
        case .io(let m): return "I/O: \(m)"
        case .badResponse(let m): return "bad response: \(m)"
        case .invalidArgument(let m): return m
        }
    }
}
