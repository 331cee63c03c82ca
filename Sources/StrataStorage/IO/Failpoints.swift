import Synchronization

/// Fault injection for the file layer (used by the crash and disk-full tests of issue #7).
///
/// Disabled (the default) it costs one relaxed atomic load per file operation.
/// A test arms it with a rule; the matching operation then fails with the
/// given errno instead of touching the disk.
public enum Failpoints {
    public enum Op: Sendable { case write, fsync, rename, remove }

    public struct Rule: Sendable {
        public var op: Op
        /// Only paths containing this substring match; empty matches all.
        public var pathContains: String
        /// Skip this many matching operations before failing.
        public var after: Int
        /// How many operations to fail once triggered (Int.max: until disarmed).
        public var times: Int
        public var errno: Int32

        public init(op: Op, pathContains: String = "", after: Int = 0, times: Int = .max, errno: Int32) {
            self.op = op
            self.pathContains = pathContains
            self.after = after
            self.times = times
            self.errno = errno
        }
    }

    private static let armed = Atomic<Bool>(false)
    private static let rules = Mutex<[Rule]>([])

    public static func arm(_ rule: Rule) {
        rules.withLock { $0.append(rule) }
        armed.store(true, ordering: .releasing)
    }

    /// Removes the rules armed with exactly this `pathContains`, leaving
    /// other tests' rules alone (tests run in parallel).
    public static func disarm(pathContains: String) {
        rules.withLock { rules in
            rules.removeAll { $0.pathContains == pathContains }
            if rules.isEmpty { armed.store(false, ordering: .releasing) }
        }
    }

    public static func disarmAll() {
        rules.withLock { $0.removeAll() }
        armed.store(false, ordering: .releasing)
    }

    /// Returns an errno to fail with, or nil to proceed.
    @inline(__always)
    static func check(_ op: Op, _ path: String) -> Int32? {
        guard armed.load(ordering: .relaxed) else { return nil }
        return rules.withLock { rules -> Int32? in
            for i in rules.indices where rules[i].op == op {
                if !rules[i].pathContains.isEmpty && !path.contains(rules[i].pathContains) { continue }
                if rules[i].after > 0 { rules[i].after -= 1; continue }
                if rules[i].times <= 0 { continue }
                rules[i].times -= 1
                return rules[i].errno
            }
            return nil
        }
    }
}
