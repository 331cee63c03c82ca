// libFuzzer target: the PromQL lexer, parser and type checker
// (StrataQuery/Parser). Invariants: the parser never traps; an error
// points inside the query; a parsed tree prints (`description`) to a query
// that parses to an equal tree, and pretty-prints without trapping; the
// metric-selector entry point never traps either.
import FuzzChecks
import FuzzDriver
import StrataQuery

@_cdecl("FuzzPromQL_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // HTTP query parameters reach the parser as Swift strings, so invalid
    // UTF-8 arrives repaired (U+FFFD); decode the same way.
    let q = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let e = try parsePromQL(q)
        let printed = e.description
        let again: Expr
        do { again = try parsePromQL(printed) } catch {
            fatalError("invariant: printed form does not parse: \(q.debugDescription) -> \(printed.debugDescription): \(error)")
        }
        require(again == e, "round trip: \(q.debugDescription) -> \(printed.debugDescription)")
        _ = e.prettyPrinted()
    } catch {
        let n = q.utf8.count
        require(error.position.start >= 0 && error.position.start <= n, "error outside the query: \(error)")
        require(error.line >= 1 && error.column >= 1, "error position \(error.line):\(error.column)")
        _ = error.description
    }
    _ = try? parsePromQLMetricSelector(q)
    return 0
}
