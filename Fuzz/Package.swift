// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets for the table readers, kept out of the main package so that neither `swift build` nor CI
// builds them. `scripts/fuzz` builds this package with `--sanitize=fuzzer --sanitize=address` (scratch path
// Fuzz/.build) and runs each fuzzer over Fuzz/corpus/. The main package has no library product to depend on,
// so the sources are symlinks into ../Sources: ZhenxingDomain whole, and the three reader files of
// ZhenxingExchange (the rest of that module needs the store); the fuzzers always test the current code.
let package = Package(
    name: "zhenxing-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .target(name: "ZhenxingDomain"),
        .target(name: "ZhenxingExchange", dependencies: ["ZhenxingDomain", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .target(name: "FuzzSupport", dependencies: ["ZhenxingExchange"]),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzSupport", "ZhenxingExchange"]),
        .executableTarget(name: "FuzzXLSX", dependencies: ["FuzzSupport", "ZhenxingExchange"]),
    ]
)
