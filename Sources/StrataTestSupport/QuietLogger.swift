import Logging

/// A logger that drops everything below `.critical`, so expected errors
/// (repaired WAL damage in corruption tests, say) don't flood test output.
public let quietLogger: Logger = {
    var l = Logger(label: "strata.test")
    l.logLevel = .critical
    return l
}()
