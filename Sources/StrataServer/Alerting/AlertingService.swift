import Dispatch
import Foundation
import Logging
import ServiceLifecycle
import StrataEvents

/// Runs rule evaluation and notification delivery for the server's
/// lifetime; reloads rule files on SIGHUP when the server handles signals.
struct AlertingService: Service {
    let alerting: Alerting
    let handleSignals: Bool
    /// Where SIGHUP reloads are recorded (who: the signal, from: the host).
    let audit: AuditLog?
    let logger: Logger

    func run() async throws {
        let rules = alerting.rules
        let queue = alerting.queue
        let logger = logger
        let hup: (any DispatchSourceSignal)?
        if handleSignals {
            // The default action of SIGHUP ends the process: ignore it and
            // take it from a dispatch source instead.
            signal(SIGHUP, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            let audit = self.audit
            src.setEventHandler {
                let outcome: AuditLog.Outcome
                do {
                    try rules.reload()
                    outcome = .success
                } catch {
                    logger.error("rule reload failed, keeping the old rules", metadata: ["error": "\(error)"])
                    outcome = .failure("\(error)")
                }
                if let audit {
                    Task { await audit.record(type: .security, action: "config_reload", outcome: outcome, source: "SIGHUP",
                                              description: "rule files reloaded on SIGHUP") }
                }
            }
            src.resume()
            hup = src
        } else {
            hup = nil
        }
        await withDiscardingTaskGroup { group in
            group.addTask { await queue.run() }
            rules.start()
            try? await gracefulShutdown()
            await rules.stop()
            group.cancelAll()
        }
        hup?.cancel()
    }
}
