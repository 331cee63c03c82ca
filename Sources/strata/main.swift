import ArgumentParser

@main
struct Strata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Strata: a time-series database and monitoring server.",
        version: "0.1.0-dev",
        subcommands: [Serve.self, Bench.self, Audit.self, Import.self, Credentials.self]
    )
}
