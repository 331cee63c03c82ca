/// Go's `fmt.Sprintf` for the verbs alert templates use: `%s %v %q %d %f
/// %F %e %E %g %G %x %X %t %%`, with flags, width and precision. Mismatched
/// or missing operands are reported inline as Go does (`%!d(float64=1.5)`,
/// `%!s(MISSING)`).
enum GoPrintf {
    static func format(_ f: String, _ args: [TemplateValue]) -> String {
        var out = ""
        let s = Array(f.unicodeScalars)
        var i = 0
        var argIndex = 0
        while i < s.count {
            let c = s[i]
            if c != "%" {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            guard i < s.count else { out += "%!(NOVERB)"; break }
            var flags = ""
            while i < s.count, "+-# 0".unicodeScalars.contains(s[i]) { flags.unicodeScalars.append(s[i]); i += 1 }
            var width: Int?
            while i < s.count, let d = Int(String(s[i])), s[i].isASCII { width = (width ?? 0) * 10 + d; i += 1 }
            var precision: Int?
            if i < s.count, s[i] == "." {
                i += 1
                precision = 0
                while i < s.count, let d = Int(String(s[i])), s[i].isASCII { precision = precision! * 10 + d; i += 1 }
            }
            guard i < s.count else { out += "%!(NOVERB)"; break }
            let verb = Character(s[i])
            i += 1
            if verb == "%" { out += "%"; continue }
            guard argIndex < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[argIndex]
            argIndex += 1
            out += pad(one(verb, arg, flags: flags, precision: precision, width: width), width: width, flags: flags, verb: verb, arg: arg)
        }
        if argIndex < args.count {
            out += "%!(EXTRA " + args[argIndex...].map { "\($0.typeName)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    private static func bad(_ verb: Character, _ arg: TemplateValue) -> String {
        "%!\(verb)(\(arg.typeName)=\(arg.printed))"
    }

    /// Numbers are padded by the C formatter itself; strings here.
    private static func pad(_ s: String, width: Int?, flags: String, verb: Character, arg: TemplateValue) -> String {
        guard let width, s.count < width else { return s }
        if case .float = arg, "eEfFgG".contains(verb) { return s }
        let fill = String(repeating: flags.contains("0") && !flags.contains("-") ? "0" : " ", count: width - s.count)
        return flags.contains("-") ? s + String(repeating: " ", count: width - s.count) : fill + s
    }

    private static func one(_ verb: Character, _ arg: TemplateValue, flags: String, precision: Int?, width: Int?) -> String {
        switch verb {
        case "v":
            if case .float(let d) = arg, let precision { return GoNumberFormat.cVerb(d, verb: "g", flags: flags, width: nil, precision: precision) }
            return arg.printed
        case "s":
            var text = arg.printed
            switch arg {
            case .string, .map, .list, .null: break
            default: return bad(verb, arg)
            }
            if let precision { text = String(text.prefix(precision)) }
            return text
        case "q":
            guard case .string(let str) = arg else { return bad(verb, arg) }
            return GoNumberFormat.quote(str)
        case "t":
            guard case .bool(let b) = arg else { return bad(verb, arg) }
            return b ? "true" : "false"
        case "d":
            guard case .int(let n) = arg else { return bad(verb, arg) }
            var t = String(n.magnitude)
            if let precision, t.count < precision { t = String(repeating: "0", count: precision - t.count) + t }
            return (n < 0 ? "-" : (flags.contains("+") ? "+" : "")) + t
        case "x", "X":
            switch arg {
            case .int(let n):
                let t = String(n.magnitude, radix: 16, uppercase: verb == "X")
                return (n < 0 ? "-" : "") + t
            case .string(let str):
                return str.utf8.map { String($0, radix: 16, uppercase: verb == "X").leftPad(2) }.joined()
            default: return bad(verb, arg)
            }
        case "e", "E", "f", "F", "g", "G":
            guard case .float(let d) = arg else { return bad(verb, arg) }
            let cv: Character = verb == "F" ? "f" : verb
            // Go's default precision is 6 for %e/%f and "shortest" for %g.
            if precision == nil, cv == "g" || cv == "G" {
                let t = GoNumberFormat.shortestG(d)
                return cv == "G" ? t.uppercased() : t
            }
            return GoNumberFormat.cVerb(d, verb: cv, flags: flags, width: width, precision: precision ?? 6)
        default:
            return "%!\(verb)(\(arg.typeName)=\(arg.printed))"
        }
    }
}

extension String {
    fileprivate func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
