/// A PromQL function's signature, as Prometheus' `parser.Function`.
///
/// `variadic` follows Prometheus: 0 means exactly `argTypes.count` arguments;
/// `n > 0` means the last argument type may appear between 0 and `n` times
/// (so the call takes `argTypes.count - 1 ... argTypes.count - 1 + n`
/// arguments); `-1` means the last argument type may repeat without bound.
public struct PromQLFunction: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let argTypes: [ValueType]
    public let variadic: Int
    public let returnType: ValueType

    public init(name: String, argTypes: [ValueType], variadic: Int = 0, returnType: ValueType) {
        self.name = name
        self.argTypes = argTypes
        self.variadic = variadic
        self.returnType = returnType
    }

    public var description: String { name }

    /// Smallest accepted argument count.
    public var minArgs: Int { variadic == 0 ? argTypes.count : argTypes.count - 1 }
    /// Largest accepted argument count, `nil` when unbounded.
    public var maxArgs: Int? {
        if variadic == 0 { return argTypes.count }
        if variadic < 0 { return nil }
        return argTypes.count - 1 + variadic
    }

    /// The function named `name`, if Prometheus 2.42 has one.
    public static func named(_ name: String) -> PromQLFunction? { table[name] }

    /// Every function of Prometheus 2.42 (promql/parser/functions.go at v2.42.0).
    public static let all: [PromQLFunction] = {
        let v = ValueType.vector, m = ValueType.matrix, s = ValueType.scalar, str = ValueType.string
        var fs: [PromQLFunction] = []
        func f(_ name: String, _ args: [ValueType], variadic: Int = 0, returns: ValueType = .vector) {
            fs.append(PromQLFunction(name: name, argTypes: args, variadic: variadic, returnType: returns))
        }
        // Math, rounding and trigonometry on instant vectors.
        for name in ["abs", "ceil", "exp", "floor", "ln", "log2", "log10", "sgn", "sqrt",
                     "acos", "acosh", "asin", "asinh", "atan", "atanh",
                     "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad"] {
            f(name, [v])
        }
        f("round", [v, s], variadic: 1)
        f("clamp", [v, s, s])
        f("clamp_max", [v, s])
        f("clamp_min", [v, s])
        f("pi", [], returns: s)
        // Date functions: the vector argument is optional (defaults to vector(time())).
        for name in ["day_of_month", "day_of_week", "day_of_year", "days_in_month",
                     "hour", "minute", "month", "year"] {
            f(name, [v], variadic: 1)
        }
        // Range-vector functions.
        for name in ["avg_over_time", "min_over_time", "max_over_time", "sum_over_time",
                     "count_over_time", "stddev_over_time", "stdvar_over_time",
                     "last_over_time", "present_over_time", "absent_over_time",
                     "changes", "resets", "delta", "deriv", "idelta", "increase", "irate", "rate"] {
            f(name, [m])
        }
        f("quantile_over_time", [s, m])
        f("predict_linear", [m, s])
        f("holt_winters", [m, s, s])
        // Histograms. The three native-histogram functions exist in 2.42 and
        // return nothing for float series, which is all Strata stores.
        f("histogram_quantile", [s, v])
        f("histogram_count", [v])
        f("histogram_sum", [v])
        f("histogram_fraction", [s, s, v])
        // Labels.
        f("label_replace", [v, str, str, str, str])
        f("label_join", [v, str, str, str], variadic: -1)
        // Miscellaneous.
        f("absent", [v])
        f("scalar", [v], returns: s)
        f("vector", [s])
        f("sort", [v])
        f("sort_desc", [v])
        f("time", [], returns: s)
        f("timestamp", [v])
        return fs
    }()

    static let table: [String: PromQLFunction] = {
        var t: [String: PromQLFunction] = [:]
        for fn in all { t[fn.name] = fn }
        return t
    }()

    public static func == (a: PromQLFunction, b: PromQLFunction) -> Bool { a.name == b.name }
    public func hash(into h: inout Hasher) { h.combine(name) }
}
