// swift-tools-version: 6.1
// Strata micro-benchmarks (ordo-one `benchmark`), kept out of the root
// package so that building and testing Strata never needs the benchmark
// toolchain. Run from this directory:
//   swift package --allow-writing-to-package-directory benchmark
// Figures are recorded in ../docs/benchmarks.md.

import PackageDescription

let package = Package(
    name: "StrataBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Strata", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Encode/decode speed of the chunk codecs, per sample.
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StrataCodec", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Benchmarks/CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Head append, postings, block reads.
        .executableTarget(
            name: "StorageBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Benchmarks/StorageBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // PromQL evaluation of dashboard queries; quantile sketch insert/merge.
        .executableTarget(
            name: "QueryBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StrataCodec", package: "Strata"),
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataQuery", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Benchmarks/QueryBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The event store: append and filtered free-text search.
        .executableTarget(
            name: "EventBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "StrataEvents", package: "Strata"),
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/EventBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Storage engine figures (append, replay, memory, bytes/sample):
        //   swift run -c release StorageReport [hosts] [hours]
        .executableTarget(
            name: "StorageReport",
            dependencies: [
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Sources/StorageReport"
        ),
        // Per-stage cost of remote-write ingestion:
        //   swift run -c release IngestReport [samplesPerRequest] [samplesPerSeries]
        .executableTarget(
            name: "IngestReport",
            dependencies: [
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataIngest", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Sources/IngestReport"
        ),
        // Backfill, compaction, rollup bytes and percentile figures (issue #5):
        //   swift run -c release CompactionReport [hosts] [days] [blockHours]
        .executableTarget(
            name: "CompactionReport",
            dependencies: [
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataQuery", package: "Strata"),
                .product(name: "StrataIngest", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Sources/CompactionReport"
        ),
        // Bytes per sample of each encoding on the node workload:
        //   swift run -c release CodecSizeReport
        .executableTarget(
            name: "CodecSizeReport",
            dependencies: [
                .product(name: "StrataCodec", package: "Strata"),
                .product(name: "StrataTestSupport", package: "Strata"),
            ],
            path: "Sources/CodecSizeReport"
        ),
    ]
)
