// swift-tools-version: 6.1
// Strata: a single-node time-series database and monitoring server.
// Module layout follows docs/architecture.md.

import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Strata",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "strata", targets: ["strata"]),
        .library(name: "StrataCodec", targets: ["StrataCodec"]),
        .library(name: "StrataStorage", targets: ["StrataStorage"]),
        .library(name: "StrataQuery", targets: ["StrataQuery"]),
        .library(name: "StrataIngest", targets: ["StrataIngest"]),
        .library(name: "StrataEvents", targets: ["StrataEvents"]),
        .library(name: "StrataTestSupport", targets: ["StrataTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // Hummingbird without its default traits drops ICU-heavy Foundation (see RECIPES: ~50 s less build time).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // System libraries from Debian (see Makefile: `make deps`).
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // Bit streams, varints, checksums, chunk and column encodings, compressors.
        .target(
            name: "StrataCodec",
            dependencies: ["CLZ4", "CSnappy", "CZstd", "CZlib"],
            swiftSettings: strictSwift
        ),
        // The storage engine: data model, head, WAL, blocks, querier.
        .target(
            name: "StrataStorage",
            dependencies: [
                "StrataCodec",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "Collections", package: "swift-collections"),
            ],
            swiftSettings: strictSwift
        ),
        // PromQL: lexer, parser, AST, evaluator.
        .target(
            name: "StrataQuery",
            dependencies: ["StrataStorage"],
            swiftSettings: strictSwift
        ),
        // Wire formats for ingestion: pure, fuzzable parsers.
        .target(
            name: "StrataIngest",
            dependencies: ["StrataCodec", "StrataStorage"],
            swiftSettings: strictSwift
        ),
        // Seeded workload generators and temporary directories shared by tests and benchmarks.
        .target(
            name: "StrataTestSupport",
            dependencies: ["StrataStorage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // The HTTP server: Prometheus API, ingestion endpoints, admin, self-monitoring.
        .target(
            name: "StrataServer",
            dependencies: [
                "StrataStorage", "StrataQuery", "StrataIngest", "StrataEvents",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The web dashboard's static files (issue #11), served by DashboardHandlers.
            resources: [.copy("Dashboard/Assets")],
            swiftSettings: strictSwift
        ),
        // Event store: audit log and user-activity analytics on the engine (issue #10).
        .target(
            name: "StrataEvents",
            dependencies: [
                "StrataCodec", "StrataStorage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        // The offline benchmark harness behind `strata bench` (issue #6).
        .target(
            name: "StrataBench",
            dependencies: [
                "StrataStorage", "StrataIngest", "StrataTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataStorage",
                "StrataQuery",
                "StrataIngest",
                "StrataServer",
                "StrataBench",
                "StrataEvents",
                "StrataTestSupport",   // the workloads' seeded generator (audit bench)
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSwift
        ),

        .testTarget(
            name: "StrataCodecTests",
            dependencies: [
                "StrataCodec", "StrataTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StrataStorageTests",
            dependencies: [
                "StrataStorage", "StrataTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StrataQueryTests",
            dependencies: ["StrataQuery", "StrataTestSupport"],
            exclude: ["testdata"]
        ),
        .testTarget(
            name: "StrataIngestTests",
            dependencies: [
                "StrataIngest", "StrataTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(name: "StrataEventsTests", dependencies: ["StrataEvents", "StrataTestSupport"]),
        .testTarget(
            name: "StrataBenchTests",
            dependencies: [
                "StrataBench", "StrataTestSupport", "StrataIngest",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "StrataServerTests",
            dependencies: [
                "StrataServer", "StrataEvents", "StrataTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            exclude: ["Differential/corpus.txt"]
        ),
    ]
)
