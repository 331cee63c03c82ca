/// Limits applied to every label set that enters the engine.
/// Defaults follow what Prometheus deployments commonly configure
/// (`label_limit`, `label_name_length_limit`, `label_value_length_limit`).
public struct LabelLimits: Sendable, Equatable {
    public var maxLabels: Int
    public var maxNameLength: Int
    public var maxValueLength: Int

    public init(maxLabels: Int = 64, maxNameLength: Int = 256, maxValueLength: Int = 4096) {
        self.maxLabels = maxLabels
        self.maxNameLength = maxNameLength
        self.maxValueLength = maxValueLength
    }

    public static let `default` = LabelLimits()
}

/// Why a label set was refused. Each case carries what is needed to name
/// the offending label in an error message.
public enum LabelError: Error, Equatable, Sendable, CustomStringConvertible {
    case empty
    case missingMetricName
    case invalidName(String)
    case emptyValue(name: String)
    case duplicateName(String)
    case unsorted(String)
    case tooManyLabels(count: Int, limit: Int)
    case nameTooLong(name: String, limit: Int)
    case valueTooLong(name: String, length: Int, limit: Int)

    public var description: String {
        switch self {
        case .empty: return "empty label set"
        case .missingMetricName: return "missing metric name (__name__ label)"
        case .invalidName(let n): return "invalid label name \"\(n)\""
        case .emptyValue(let n): return "label \"\(n)\" has an empty value"
        case .duplicateName(let n): return "duplicate label name \"\(n)\""
        case .unsorted(let n): return "labels are not sorted at \"\(n)\""
        case .tooManyLabels(let c, let l): return "series has \(c) labels, limit is \(l)"
        case .nameTooLong(let n, let l):
            let shown = n.utf8.count > 64 ? "\(n.prefix(64))…" : n
            return "label name \"\(shown)\" is longer than \(l) bytes"
        case .valueTooLong(let n, let len, let l): return "value of label \"\(n)\" is \(len) bytes, limit is \(l)"
        }
    }
}

extension Labels {
    /// `[a-zA-Z_][a-zA-Z0-9_]*`, checked on bytes.
    @inlinable
    public static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok: Bool
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "_"): ok = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): ok = !first
            default: ok = false
            }
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Metric names additionally allow `:` (recording rules), as in Prometheus.
    @inlinable
    public static func isValidMetricName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok: Bool
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "_"), UInt8(ascii: ":"): ok = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"): ok = !first
            default: ok = false
            }
            if !ok { return false }
            first = false
        }
        return !first
    }

    /// Checks order, uniqueness, names, non-empty values and limits.
    /// Swift `String`s are always valid Unicode; input decoders that build
    /// them from bytes must reject invalid UTF-8 before calling this.
    public func validate(limits: LabelLimits = .default, requireMetricName: Bool = true) throws(LabelError) {
        if pairs.isEmpty { throw .empty }
        if pairs.count > limits.maxLabels { throw .tooManyLabels(count: pairs.count, limit: limits.maxLabels) }
        var prev: String? = nil
        var sawName = false
        for l in pairs {
            if l.name.utf8.count > limits.maxNameLength { throw .nameTooLong(name: l.name, limit: limits.maxNameLength) }
            if l.name == metricNameLabel {
                sawName = true
                // Checked first: the metric-name check would otherwise report
                // `__name__=""` as an invalid name "".
                if l.value.isEmpty { throw .emptyValue(name: l.name) }
                if !Labels.isValidMetricName(l.value) { throw .invalidName(l.value) }
            } else {
                if !Labels.isValidLabelName(l.name) { throw .invalidName(l.name) }
                if l.value.isEmpty { throw .emptyValue(name: l.name) }
            }
            let vlen = l.value.utf8.count
            if vlen > limits.maxValueLength { throw .valueTooLong(name: l.name, length: vlen, limit: limits.maxValueLength) }
            if let p = prev {
                if p == l.name { throw .duplicateName(l.name) }
                if !p.utf8.lexicographicallyPrecedes(l.name.utf8) { throw .unsorted(l.name) }
            }
            prev = l.name
        }
        if requireMetricName && !sawName { throw .missingMetricName }
    }
}
