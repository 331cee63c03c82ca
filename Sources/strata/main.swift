import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

struct Strata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Strata: a time-series database and monitoring server.",
        version: "0.1.0-dev",
        subcommands: [Serve.self, Bench.self, Audit.self, Import.self, Credentials.self]
    )
}

// `strata serve` runs Swift concurrency's jobs on the server's NIO event
// loops (the singleton group Hummingbird uses): a request handler's async
// code then continues on the event loop that read the request instead of
// hopping to the cooperative pool and back, which was most of the latency
// of a small query (issue #3: futex and task switches dominated its
// profile). It must be installed on the main thread before any task runs,
// hence a top-level entry point instead of `@main`. Heavy work keeps its
// own threads (query evaluation's concurrentPerform, maintenance's thread).
// STRATA_NIO_EXECUTOR=0 keeps Swift's default executor.
if CommandLine.arguments.dropFirst().first == "serve",
   ProcessInfo.processInfo.environment["STRATA_NIO_EXECUTOR"] != "0" {
    NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
// In top-level code ArgumentParser's `main()` and a command's `run()`
// resolve to their synchronous overloads (which print the help), so the
// async entry point is called from an async function.
func runStrata() async {
    await Strata.main(nil)
}
await runStrata()
