import Testing
@testable import StrataQuery

/// Precedence and associativity, as Prometheus' generated_parser.y declares
/// them: `or` < `and unless` < comparisons < `+ -` < `* / % atan2` < `^`
/// (right-associative); unary minus binds like `*`; modifiers bind tightest.
@Suite struct PrecedenceTests {
    /// A fully parenthesised rendering of the tree.
    static func shape(_ e: Expr) -> String {
        switch e {
        case .binary(let b):
            return "(" + shape(b.lhs) + " " + b.op.rawValue + (b.returnBool ? " bool" : "") + " " + shape(b.rhs) + ")"
        case .unary(let u):
            return "(" + u.op.rawValue + shape(u.expr) + ")"
        case .paren(let p):
            return "[" + shape(p.expr) + "]"
        default:
            return e.description
        }
    }

    static let cases: [(String, String)] = [
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a - b - c", "((a - b) - c)"),
        ("a / b / c", "((a / b) / c)"),
        ("a / b * c % d", "(((a / b) * c) % d)"),
        ("a ^ b ^ c", "(a ^ (b ^ c))"),
        ("a ^ b * c", "((a ^ b) * c)"),
        ("a * b ^ c", "(a * (b ^ c))"),
        ("a % b ^ c", "(a % (b ^ c))"),
        ("a atan2 b * c", "((a atan2 b) * c)"),
        ("a * b atan2 c", "((a * b) atan2 c)"),
        ("a + b atan2 c", "(a + (b atan2 c))"),
        ("-a ^ b", "(-(a ^ b))"),
        ("-a * b", "((-a) * b)"),
        ("-a + b", "((-a) + b)"),
        ("a + -b * c", "(a + ((-b) * c))"),
        ("a * -b ^ c", "(a * (-(b ^ c)))"),
        ("a ^ -b * c", "((a ^ (-b)) * c)"),
        ("a ^ -b ^ c", "(a ^ (-(b ^ c)))"),
        ("2 ^ -3 ^ 2", "(2 ^ (-(3 ^ 2)))"),
        ("-2 ^ 2", "(-(2 ^ 2))"),
        ("--a", "(-(-a))"),
        ("- -2", "2"),
        ("a - -1", "(a - -1)"),
        ("a == b == c", "((a == b) == c)"),
        ("a + b > c", "((a + b) > c)"),
        ("a > b + c", "(a > (b + c))"),
        ("a > bool b + c", "(a > bool (b + c))"),
        ("a > b and c", "((a > b) and c)"),
        ("a and b > c", "(a and (b > c))"),
        ("a or b and c", "(a or (b and c))"),
        ("a and b or c", "((a and b) or c)"),
        ("a unless b and c", "((a unless b) and c)"),
        ("a and b unless c", "((a and b) unless c)"),
        ("a or b or c", "((a or b) or c)"),
        ("a or b unless c", "(a or (b unless c))"),
        ("a + b offset 5m", "(a + b offset 5m)"),
        ("-a offset 5m", "(-a offset 5m)"),
        ("a ^ b @ 10", "(a ^ b @ 10.000)"),
        ("(a + b) * c", "([(a + b)] * c)"),
        ("a * (b + c)", "(a * [(b + c)])"),
        ("1 - 2 - 3", "((1 - 2) - 3)"),
        ("2 * 3 ^ 2", "(2 * (3 ^ 2))"),
        ("sum(a) + sum(b) * 2", "(sum(a) + (sum(b) * 2))"),
        ("a + on(x) b * c", "(a + (b * c))"),
        ("a * on(x) b + c", "((a * b) + c)"),
    ]

    @Test(arguments: cases.map { Pair($0.0, $0.1) })
    func treeShape(_ c: Pair) throws {
        #expect(PrecedenceTests.shape(try parsePromQL(c.input)) == c.expected)
    }

    /// Operators of every level in every order: the tree nests by precedence.
    @Test func everyPairOfOperators() throws {
        let ops: [BinaryOperator] = [.or, .and, .unless, .eql, .gtr, .add, .sub, .mul, .div, .mod, .atan2, .pow]
        for first in ops {
            for second in ops {
                let q = "a \(first.rawValue)\(first.isComparison ? " bool" : "") b \(second.rawValue)\(second.isComparison ? " bool" : "") c"
                guard case .binary(let top) = try parsePromQL(q) else { Issue.record("\(q) is not binary"); continue }
                let rightNested = second.precedence > first.precedence
                    || (second.precedence == first.precedence && first.isRightAssociative)
                #expect(top.op == (rightNested ? first : second), "\(q)")
            }
        }
    }

    /// Printing keeps the grouping that the parser chose.
    @Test(arguments: cases.map { Pair($0.0, $0.1) })
    func printingPreservesShape(_ c: Pair) throws {
        let e = try parsePromQL(c.input)
        #expect(PrecedenceTests.shape(try parsePromQL(e.description)) == c.expected)
    }
}
