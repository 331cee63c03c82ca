import Foundation

/// The live progress line on stderr: phase, percentage, rate and ETA.
///
/// On a terminal the line is redrawn in place (at most 10 times a second);
/// otherwise (a log file, `make` output piped somewhere) a line is printed
/// at most every 5 s, so logs stay readable.
public final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let interactive: Bool
    private let enabled: Bool
    private var phase = ""
    private var unit = ""
    private var phaseStart = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(60)
    private var drawn = false

    /// `enabled: false` drops the live line; phase summaries still print.
    public init(enabled: Bool = true) {
        self.enabled = enabled
        interactive = isatty(2) != 0
    }

    /// Starts a phase (e.g. "strata: ingest") counting `unit`s.
    public func begin(_ phase: String, unit: String) {
        lock.withLock {
            self.phase = phase
            self.unit = unit
            phaseStart = .now
            lastDraw = .now - .seconds(60)
        }
    }

    /// Reports `done` of `total` units (total 0: unknown).
    public func update(done: Int, total: Int) {
        lock.withLock {
            let now = ContinuousClock.now
            let minGap: Duration = interactive ? .milliseconds(100) : .seconds(5)
            guard now - lastDraw >= minGap || done == total else { return }
            lastDraw = now
            draw(Self.format(phase: phase, unit: unit, done: done, total: total, elapsed: Self.seconds(now - phaseStart)))
        }
    }

    /// Ends the line with a final message (kept on screen; printed even
    /// without the live line).
    public func finish(_ message: String) {
        lock.withLock {
            let text = (interactive && drawn ? "\r\u{1b}[K" : "") + message + "\n"
            FileHandle.standardError.write(Data(text.utf8))
            drawn = false
        }
    }

    /// A note on its own line (not overwritten).
    public func note(_ message: String) { finish(message) }

    private func draw(_ text: String) {
        guard enabled else { return }
        if interactive {
            FileHandle.standardError.write(Data(("\r\u{1b}[K" + text).utf8))
            drawn = true
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }

    /// `strata: ingest  42.0%  1,234,567/2,880,000 samples  612.3k samples/s  ETA 3s`
    public static func format(phase: String, unit: String, done: Int, total: Int, elapsed: Double) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var s = phase
        if total > 0 {
            s += "  " + Report.fixed(100 * Double(done) / Double(total), 1) + "%"
            s += "  \(Report.grouped(done))/\(Report.grouped(total)) \(unit)"
        } else {
            s += "  \(Report.grouped(done)) \(unit)"
        }
        s += "  \(Report.si(rate)) \(unit)/s"
        if total > 0 && rate > 0 && done < total {
            s += "  ETA \(Report.duration(Double(total - done) / rate))"
        } else {
            s += "  \(Report.duration(elapsed))"
        }
        return s
    }
}
