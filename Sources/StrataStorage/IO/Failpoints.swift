#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Fault injection for the file layer (issue #7: crash matrix, power loss, disk full).
///
/// Every mutating call of `FileIO` (write, fsync, rename, remove, and the
/// creating calls open/mkdir/truncate) passes a failpoint *before* it touches
/// the disk and another one *after* it succeeded. A test arms rules; the
/// first rule that matches the operation, phase and path decides:
///
/// - `.fail(errno)` before: the operation is not performed and fails with
///   `errno` (ENOSPC on write, EIO on fsync, …). After: it was performed,
///   and the caller still sees the error (a write that reached the page
///   cache but whose fsync status is unknown, a rename that happened but
///   whose acknowledgement was lost).
/// - `.shortWrite(n, errno)` (write, before): only the first `n` bytes of the
///   call reach the file, then the call fails with `errno`: a disk that
///   fills in the middle of a record.
/// - `.crash`: the process ends at once with `_exit(137)`, like `kill -9`:
///   no flush, no atexit handlers. The crash matrix uses it to stop the real
///   binary exactly between two file operations (`STRATA_FAILPOINTS`).
/// - `.call(f)`: runs `f` and proceeds (tests use it to observe or to
///   trigger something at a precise moment).
///
/// Independently, a tracer (`Failpoints.trace(prefix:_:)`) sees every
/// mutation under a path prefix with its bytes; the power-loss test rebuilds
/// "what the disk holds after the last fsyncs" from it.
///
/// Disabled (the default) it costs one relaxed atomic load per file operation.
public enum Failpoints {
    public enum Op: String, Sendable, CaseIterable {
        case write, fsync, rename, remove
        /// `open` with `O_CREAT`, `mkdir`, `ftruncate`.
        case create, truncate
    }

    public enum Phase: String, Sendable { case before, after }

    public enum Action: Sendable {
        case fail(Int32)
        case shortWrite(Int, Int32)
        case crash
        case call(@Sendable (Op, Phase, String) -> Void)
    }

    public struct Rule: Sendable {
        public var op: Op
        public var phase: Phase
        /// Only paths containing this substring match; empty matches all.
        public var pathContains: String
        /// Skip this many matching operations before acting.
        public var after: Int
        /// How many operations to act on once triggered (Int.max: until disarmed).
        public var times: Int
        public var action: Action

        public init(op: Op, phase: Phase = .before, pathContains: String = "", after: Int = 0, times: Int = .max,
                    action: Action) {
            self.op = op
            self.phase = phase
            self.pathContains = pathContains
            self.after = after
            self.times = times
            self.action = action
        }

        /// Fails the operation before it happens with `errno` (the original form).
        public init(op: Op, pathContains: String = "", after: Int = 0, times: Int = .max, errno: Int32) {
            self.init(op: op, phase: .before, pathContains: pathContains, after: after, times: times, action: .fail(errno))
        }

        /// The errno of a `.fail` rule (nil for other actions).
        public var errno: Int32? {
            if case .fail(let e) = action { return e }
            return nil
        }
    }

    /// What a traced operation did; see `trace(prefix:_:)`.
    public enum Event: Sendable {
        /// `open` of a file: `created` when it did not exist, `truncated` with `O_TRUNC`.
        case open(path: String, created: Bool, truncated: Bool)
        case write(path: String, offset: Int, bytes: [UInt8])
        case truncate(path: String, size: Int)
        /// fsync or fdatasync of a file or a directory.
        case fsync(path: String)
        case rename(from: String, to: String)
        case unlink(path: String)
        case mkdir(path: String)
        case rmdir(path: String)
    }

    /// What the file layer does with a matching operation.
    enum Decision {
        case proceed
        case fail(Int32)
        case shortWrite(Int, Int32)
    }

    private static let armed = Atomic<Bool>(false)
    private static let rules = Mutex<[Rule]>([])
    private static let tracers = Mutex<[(prefix: String, sink: @Sendable (Event) -> Void)]>([])
    private static let tracing = Atomic<Bool>(false)

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

    /// Calls `sink` for every mutation of a path that starts with `prefix`,
    /// synchronously, on the thread doing it, after it succeeded.
    public static func trace(prefix: String, _ sink: @escaping @Sendable (Event) -> Void) {
        tracers.withLock { $0.append((prefix, sink)) }
        tracing.store(true, ordering: .releasing)
    }

    public static func untrace(prefix: String) {
        tracers.withLock { t in
            t.removeAll { $0.prefix == prefix }
            if t.isEmpty { tracing.store(false, ordering: .releasing) }
        }
    }

    @inline(__always)
    static var isTracing: Bool { tracing.load(ordering: .relaxed) }

    static func emit(_ event: Event) {
        let path: String
        switch event {
        case .open(let p, _, _), .write(let p, _, _), .truncate(let p, _), .fsync(let p), .unlink(let p),
             .mkdir(let p), .rmdir(let p):
            path = p
        case .rename(let from, _):
            path = from
        }
        let sinks = tracers.withLock { t in t.filter { path.hasPrefix($0.prefix) }.map(\.sink) }
        for s in sinks { s(event) }
    }

    /// Returns an errno to fail with, or nil to proceed (the before-phase of non-write operations).
    @inline(__always)
    static func check(_ op: Op, _ path: String) -> Int32? {
        switch decide(op, .before, path) {
        case .proceed: return nil
        case .fail(let e), .shortWrite(_, let e): return e
        }
    }

    @inline(__always)
    static func decide(_ op: Op, _ phase: Phase, _ path: String) -> Decision {
        guard armed.load(ordering: .relaxed) else { return .proceed }
        return decideSlow(op, phase, path)
    }

    private static func decideSlow(_ op: Op, _ phase: Phase, _ path: String) -> Decision {
        let action = rules.withLock { rules -> Action? in
            for i in rules.indices where rules[i].op == op && rules[i].phase == phase {
                if !rules[i].pathContains.isEmpty && !path.contains(rules[i].pathContains) { continue }
                if rules[i].after > 0 { rules[i].after -= 1; continue }
                if rules[i].times <= 0 { continue }
                rules[i].times -= 1
                return rules[i].action
            }
            return nil
        }
        switch action {
        case nil: return .proceed
        case .fail(let e): return .fail(e)
        case .shortWrite(let n, let e): return .shortWrite(n, e)
        case .crash: _exit(137)
        case .call(let f):
            f(op, phase, path)
            return .proceed
        }
    }

    /// Arms rules from a specification such as
    /// `rename:after:checkpoint:2:crash;write:before:wal/:0:fail=28`:
    /// `op:phase:pathContains:after:action` separated by `;`, where action is
    /// `crash`, `fail=<errno>` or `short=<bytes>,<errno>`. The real binary
    /// reads it from the `STRATA_FAILPOINTS` environment variable (tests only).
    public static func arm(spec: String) throws(FailpointSpecError) {
        for part in spec.split(separator: ";") where !part.isEmpty {
            let f = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 5, let op = Op(rawValue: f[0]), let phase = Phase(rawValue: f[1]), let after = Int(f[3]) else {
                throw FailpointSpecError(spec: String(part))
            }
            let action: Action
            if f[4] == "crash" {
                action = .crash
            } else if f[4].hasPrefix("fail="), let e = Int32(f[4].dropFirst(5)) {
                action = .fail(e)
            } else if f[4].hasPrefix("short=") {
                let nums = f[4].dropFirst(6).split(separator: ",").compactMap { Int($0) }
                guard nums.count == 2 else { throw FailpointSpecError(spec: String(part)) }
                action = .shortWrite(nums[0], Int32(nums[1]))
            } else {
                throw FailpointSpecError(spec: String(part))
            }
            arm(Rule(op: op, phase: phase, pathContains: f[2], after: after, times: .max, action: action))
        }
    }
}

public struct FailpointSpecError: Error, Sendable, CustomStringConvertible {
    public var spec: String
    public var description: String {
        "invalid failpoint \"\(spec)\": expected op:phase:pathContains:after:action (action crash, fail=<errno>, short=<bytes>,<errno>)"
    }
}
