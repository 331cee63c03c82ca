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
        .library(name: "StrataTestSupport", targets: ["StrataTestSupport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.3.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // System libraries from Debian (see Makefile: `make deps`).
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // Bit streams, varints, checksums, chunk and column encodings, compressors.
        .target(
            name: "StrataCodec",
            dependencies: ["CLZ4", "CSnappy", "CZstd"],
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
            dependencies: ["StrataStorage"],
            swiftSettings: strictSwift
        ),
        .executableTarget(
            name: "strata",
            dependencies: [
                "StrataStorage",
                "StrataQuery",
                "StrataIngest",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),

        .testTarget(
            name: "StrataCodecTests",
            dependencies: [
                "StrataCodec",
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
            dependencies: ["StrataQuery", "StrataTestSupport"]
        ),
        .testTarget(
            name: "StrataIngestTests",
            dependencies: ["StrataIngest", "StrataTestSupport"]
        ),
    ]
)
