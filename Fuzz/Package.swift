// swift-tools-version: 6.1
// libFuzzer targets for Strata's decoders of untrusted bytes (issue #7, item 8).
// Kept out of the root package: these executables only link with
// `-sanitize=fuzzer` (libFuzzer supplies `main`), which a normal
// `swift build` must not need. Build and run them with `make fuzz`
// (see ../docs/fuzzing.md); `SeedCorpus` regenerates Corpus/ and is built
// without sanitizers (`make fuzz-seeds`).

import PackageDescription

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// One libFuzzer target: Sources/<name>/<name>.swift defines `LLVMFuzzerTestOneInput`.
func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: ["FuzzDriver", "FuzzChecks"] + products.map { .product(name: $0, package: "Strata") },
        path: "Sources/\(name)",
        swiftSettings: strictSwift
    )
}

let package = Package(
    name: "StrataFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Strata", path: ".."),
    ],
    targets: [
        // Calls libFuzzer's driver from the `<Module>_main` SwiftPM links as `main`.
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
        // The invariant checks every target shares (`require`, `checkShape`).
        .target(
            name: "FuzzChecks",
            dependencies: [.product(name: "StrataIngest", package: "Strata")],
            path: "Sources/FuzzChecks",
            swiftSettings: strictSwift
        ),
        fuzzTarget("FuzzRemoteWrite", ["StrataIngest", "StrataStorage", "StrataCodec"]),
        fuzzTarget("FuzzSnappy", ["StrataIngest", "StrataCodec"]),
        fuzzTarget("FuzzLineProtocol", ["StrataIngest", "StrataStorage"]),
        fuzzTarget("FuzzJSONImport", ["StrataIngest", "StrataStorage"]),
        fuzzTarget("FuzzPromQL", ["StrataQuery"]),
        fuzzTarget("FuzzWALRecord", ["StrataStorage", "StrataCodec"]),
        fuzzTarget("FuzzXORChunk", ["StrataCodec"]),
        fuzzTarget("FuzzColumnarChunk", ["StrataCodec"]),
        fuzzTarget("FuzzRollupChunk", ["StrataStorage", "StrataCodec"]),
        .executableTarget(
            name: "SeedCorpus",
            dependencies: [
                .product(name: "StrataCodec", package: "Strata"),
                .product(name: "StrataStorage", package: "Strata"),
                .product(name: "StrataIngest", package: "Strata"),
            ],
            path: "Sources/SeedCorpus",
            swiftSettings: strictSwift
        ),
    ]
)
