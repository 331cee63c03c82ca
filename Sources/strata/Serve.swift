import ArgumentParser
import Foundation
import Logging
import StrataServer
import StrataStorage

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the database and its HTTP API."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./data).")
    var dataDir: String?

    @Option(help: "Address to listen on, host:port (default 127.0.0.1:9201).")
    var listen: String?

    @Option(help: "How long to keep raw data, e.g. 30d, 12h (default 30d).")
    var retention: String?

    @Option(name: .customLong("retention-size"), help: "Optional bound on all blocks, e.g. 20GB (oldest deleted first, never the head).")
    var retentionSize: String?

    @Option(name: .customLong("compaction-interval"), help: "Pause between background compaction rounds (default 1m).")
    var compactionInterval: String?

    @Option(name: .customLong("wal-fsync"), help: "always: fsync before acknowledging; interval: fsync every --wal-fsync-interval (default).")
    var walFsync: String?

    @Option(name: .customLong("wal-fsync-interval"), help: "fsync interval for --wal-fsync interval (default 1s).")
    var walFsyncInterval: String?

    @Option(help: "Optional YAML config file; flags override it.")
    var config: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String = "info"

    @Flag(help: "Allow listening on a non-loopback address without authentication.")
    var insecure = false

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS (with --tls-key).")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    // Hidden knobs for the crash matrix (issue #7): short blocks and a fast maintenance loop.
    @Option(name: .customLong("block-range"), help: .hidden)
    var blockRange: String?

    @Option(name: .customLong("maintenance-interval"), help: .hidden)
    var maintenanceInterval: String?

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
        var logger = Logger(label: "strata")
        logger.logLevel = level

        var cfg = ServeConfig()
        do {
            if let config { cfg = try ServeConfig.load(yaml: config) }
            if let dataDir { cfg.dataDir = dataDir }
            if let listen { try cfg.setListen(listen) }
            if let retention {
                guard let r = TimeParameters.parsePromDuration(retention), r > 0 else {
                    throw ValidationError("invalid --retention \"\(retention)\": use a duration such as 30d or 12h")
                }
                cfg.retention = r
            }
            if let retentionSize {
                guard let n = ByteSize.parse(retentionSize) else {
                    throw ValidationError("invalid --retention-size \"\(retentionSize)\": use a size such as 512MB or 20GB")
                }
                cfg.retentionBytes = n
            }
            if let compactionInterval {
                guard let d = TimeParameters.parsePromDuration(compactionInterval), d > 0 else {
                    throw ValidationError("invalid --compaction-interval \"\(compactionInterval)\"")
                }
                cfg.compactionInterval = d
            }
            let interval = try walFsyncInterval.map { s -> Int64 in
                guard let ms = TimeParameters.parsePromDuration(s), ms > 0 else { throw ValidationError("invalid --wal-fsync-interval \"\(s)\"") }
                return ms
            }
            if let walFsync { try cfg.setWALFsync(walFsync, interval: interval) } else if let interval { cfg.walFsync = .interval(milliseconds: Int(interval)) }
            if let blockRange {
                guard let ms = TimeParameters.parsePromDuration(blockRange), ms > 0 else { throw ValidationError("invalid --block-range \"\(blockRange)\"") }
                cfg.storage.blockRange = ms
            }
            if let maintenanceInterval {
                guard let ms = TimeParameters.parsePromDuration(maintenanceInterval), ms > 0 else {
                    throw ValidationError("invalid --maintenance-interval \"\(maintenanceInterval)\"")
                }
                cfg.storage.maintenanceInterval = .milliseconds(ms)
            }
            if insecure { cfg.security.insecure = true }
            if let tlsCert { cfg.security.tls.certificatePath = tlsCert }
            if let tlsKey { cfg.security.tls.keyPath = tlsKey }
            if (cfg.security.tls.certificatePath == nil) != (cfg.security.tls.keyPath == nil) {
                throw ValidationError("--tls-cert and --tls-key go together")
            }
            try cfg.security.validate(host: cfg.host)
        } catch let e as ConfigError {
            throw ValidationError(e.description)
        } catch let e as SecurityConfigError {
            throw ValidationError(e.description)
        }

        // Test-only fault injection (issue #7): the crash matrix stops the
        // process exactly between two file operations.
        if let spec = ProcessInfo.processInfo.environment["STRATA_FAILPOINTS"], !spec.isEmpty {
            try Failpoints.arm(spec: spec)
            logger.warning("failpoints armed", metadata: ["spec": "\(spec)"])
        }
        logger.info("starting strata", metadata: [
            "dataDir": "\(cfg.dataDir)", "listen": "\(cfg.listen)", "walFsync": "\(cfg.walFsync)",
            "retention": "\(cfg.retention / 1000)s",
        ])
        let server = try StrataServer(config: cfg, logger: logger)
        let host = cfg.host
        let scheme = cfg.security.tls.enabled ? "https" : "http"
        try await server.run(onListening: { port in
            // Printed on stdout so scripts and tests can find the port (with --listen host:0).
            let line = "Strata listening on \(scheme)://\(host):\(port)\n"
            FileHandle.standardOutput.write(line.data(using: .utf8)!)
        })
    }
}
