import Dispatch
import Foundation
import Logging
import ServiceLifecycle

/// Runs rule evaluation and notification delivery for the server's
/// lifetime; reloads rule files on SIGHUP when the server handles signals.
struct AlertingService: Service {
    let alerting: Alerting
    let handleSignals: Bool
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
            src.setEventHandler {
                do { try rules.reload() } catch {
                    logger.error("rule reload failed, keeping the old rules", metadata: ["error": "\(error)"])
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
