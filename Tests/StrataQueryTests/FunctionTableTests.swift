import Testing
@testable import StrataQuery

/// Every function of Prometheus 2.42 parses with its arity and argument types.
@Suite struct FunctionTableTests {
    static let names: [String] = [
        "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min",
        "day_of_month", "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor",
        "histogram_quantile", "holt_winters", "hour", "idelta", "increase", "irate", "label_join",
        "label_replace", "ln", "log2", "log10", "minute", "month", "predict_linear", "rate", "resets",
        "round", "scalar", "sgn", "sort", "sort_desc", "sqrt", "time", "timestamp", "vector", "year",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
        "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
        "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh",
        "deg", "rad", "pi", "histogram_count", "histogram_sum", "histogram_fraction",
    ]

    @Test func tableHasExactlyThePrometheusFunctions() {
        #expect(Set(PromQLFunction.all.map(\.name)) == Set(FunctionTableTests.names))
        #expect(PromQLFunction.all.count == FunctionTableTests.names.count)
        #expect(PromQLFunction.named("rate")?.argTypes == [.matrix])
        #expect(PromQLFunction.named("label_join")?.maxArgs == nil)
        #expect(PromQLFunction.named("round")?.minArgs == 1)
        #expect(PromQLFunction.named("round")?.maxArgs == 2)
        #expect(PromQLFunction.named("holt_winters")?.argTypes == [.matrix, .scalar, .scalar])
        #expect(PromQLFunction.named("nope") == nil)
    }

    static func argument(_ t: ValueType) -> String {
        switch t {
        case .vector: return "x"
        case .matrix: return "x[5m]"
        case .scalar: return "1"
        case .string: return "\"a\""
        case .none: return "?"
        }
    }

    static func call(_ f: PromQLFunction, count: Int) -> String {
        let args = (0..<count).map { i in argument(f.argTypes[min(i, f.argTypes.count - 1)]) }
        return f.name + "(" + args.joined(separator: ", ") + ")"
    }

    @Test(arguments: PromQLFunction.all)
    func parsesWithEveryAcceptedArity(_ f: PromQLFunction) throws {
        let counts = Array(f.minArgs...(f.maxArgs ?? f.minArgs + 3))
        for n in counts {
            let q = FunctionTableTests.call(f, count: n)
            let e = try parsePromQL(q)
            guard case .call(let c) = e else { Issue.record("\(q) is not a call"); continue }
            #expect(c.function == f)
            #expect(c.args.count == n)
            #expect(e.type == f.returnType)
            #expect(e.description == q)
        }
    }

    @Test(arguments: PromQLFunction.all)
    func rejectsWrongArity(_ f: PromQLFunction) {
        let q = "\"\(f.name)\""
        if f.minArgs > 0 {
            let few = FunctionTableTests.call(f, count: f.minArgs - 1)
            let expected = f.variadic == 0
                ? "1:1: parse error: expected \(f.argTypes.count) argument(s) in call to \(q), got \(f.minArgs - 1)"
                : "1:1: parse error: expected at least \(f.minArgs) argument(s) in call to \(q), got \(f.minArgs - 1)"
            #expect(throws: PromQLParseError.self) { _ = try parsePromQL(few) }
            do { _ = try parsePromQL(few) } catch { #expect(error.description == expected) }
        }
        if let maxArgs = f.maxArgs {
            let argsText = (0...maxArgs).map { _ in "x" }.joined(separator: ", ")
            let many = f.name + "(" + argsText + ")"
            let expected = f.variadic == 0
                ? "1:1: parse error: expected \(f.argTypes.count) argument(s) in call to \(q), got \(maxArgs + 1)"
                : "1:1: parse error: expected at most \(maxArgs) argument(s) in call to \(q), got \(maxArgs + 1)"
            do {
                _ = try parsePromQL(many)
                Issue.record("\(many) parsed")
            } catch {
                #expect(error.description == expected)
            }
        }
    }

    @Test(arguments: PromQLFunction.all.filter { !$0.argTypes.isEmpty })
    func rejectsWrongArgumentType(_ f: PromQLFunction) {
        // Replace the first argument with a value of a different type.
        let wrong: ValueType = f.argTypes[0] == .string ? .scalar : .string
        var args = (0..<f.minArgs).map { i in FunctionTableTests.argument(f.argTypes[i]) }
        if args.isEmpty { args = [FunctionTableTests.argument(wrong)] } else { args[0] = FunctionTableTests.argument(wrong) }
        let q = f.name + "(" + args.joined(separator: ", ") + ")"
        let column = f.name.utf8.count + 2
        let expected = "1:\(column): parse error: expected type \(f.argTypes[0].documentedName) in call to function \"\(f.name)\", got \(wrong.documentedName)"
        do {
            _ = try parsePromQL(q)
            Issue.record("\(q) parsed")
        } catch {
            #expect(error.description == expected)
        }
    }
}
