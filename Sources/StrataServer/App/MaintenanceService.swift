import Logging
import ServiceLifecycle
import StrataStorage

/// Background compaction, rollups and retention (issue #5), on a task of
/// its own. Each round runs `Database.runMaintenance()` off the cooperative
/// pool: it cuts head data into blocks if due, then compacts unless a
/// compaction (e.g. `POST /api/v1/admin/tsdb/compact`) is already running.
/// Compaction holds only the database's compaction lock, never a lock of
/// the write or read path, so ingestion and queries go on meanwhile.
///
/// Registered after `DatabaseService`, so it stops first (services stop in
/// reverse order): a round in progress finishes before the database closes.
struct MaintenanceService: Service {
    let db: Database
    let logger: Logger
    /// Pause between two rounds.
    var interval: Duration

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                do {
                    let db = self.db
                    _ = try await offPool { try db.runMaintenance() }
                } catch {
                    logger.error("background compaction failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
