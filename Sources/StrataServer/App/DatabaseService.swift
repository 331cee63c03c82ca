import Dispatch
import Logging
import ServiceLifecycle
import StrataStorage

/// Owns the database's background work (cutting head data into blocks) and
/// closes the database (fsyncing the WAL) once the HTTP server has drained.
struct DatabaseService: Service {
    let db: Database
    let logger: Logger
    /// How often to check whether the head should be cut into a block.
    var interval: Duration = .seconds(15)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                do {
                    try await offPool { try db.cutBlocksIfNeeded() }
                } catch {
                    logger.error("block cut failed", metadata: ["error": "\(error)"])
                }
            }
        }
        do {
            try db.close()
            logger.info("database closed")
        } catch {
            logger.error("closing database failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}

/// Runs blocking work (fsync-heavy block writes) on a Dispatch thread so the
/// cooperative pool, which serves requests, is never blocked by it.
func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { cont in
        DispatchQueue.global().async {
            do { cont.resume(returning: try body()) } catch { cont.resume(throwing: error) }
        }
    }
}
