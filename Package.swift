// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "zhenxing",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "zhenxing", targets: ["zhenxing"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
    ],
    targets: [
        .executableTarget(
            name: "zhenxing",
            dependencies: [
                "ZhenxingServer", "ZhenxingStore", "ZhenxingDemo", "ZhenxingDomain", "ZhenxingExchange",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "ZhenxingDomain", swiftSettings: strict),
        // Photo checks and thumbnails through libjpeg and libpng (Debian: libjpeg62-turbo-dev, libpng-dev).
        .target(name: "CThumbnail", linkerSettings: [.linkedLibrary("jpeg"), .linkedLibrary("png")]),
        .target(
            name: "ZhenxingStore",
            dependencies: [
                "ZhenxingDomain",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ZhenxingAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["openapi-generator-config.yaml"],
            resources: [.copy("openapi.yaml")],
            // Generated code: the generator's unused imports warn on Swift 6.3; the spec is the source to read.
            swiftSettings: [.enableUpcomingFeature("InternalImportsByDefault"), .unsafeFlags(["-suppress-warnings"])]
        ),
        .target(
            name: "ZhenxingServer",
            dependencies: [
                "ZhenxingDomain", "ZhenxingStore", "ZhenxingAPI", "ZhenxingExchange", "CThumbnail",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")],
            swiftSettings: strict
        ),
        .target(
            name: "ZhenxingExchange",
            dependencies: [
                "ZhenxingDomain", "ZhenxingStore",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "ZhenxingDemo",
            dependencies: ["ZhenxingDomain", "ZhenxingStore", "ZhenxingExchange", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: strict
        ),
        .target(
            name: "ZhenxingTestSupport",
            dependencies: [
                "ZhenxingStore", .product(name: "SQLKit", package: "sql-kit"), .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/Support",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ZhenxingDomainTests",
            dependencies: ["ZhenxingDomain", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ZhenxingExchangeTests",
            dependencies: [
                "ZhenxingExchange", "ZhenxingStore", "ZhenxingDomain", "ZhenxingDemo", "ZhenxingTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ZhenxingStoreTests",
            dependencies: [
                "ZhenxingStore", "ZhenxingDomain", "ZhenxingDemo", "ZhenxingTestSupport",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ZhenxingServerTests",
            dependencies: [
                "ZhenxingServer", "ZhenxingStore", "ZhenxingDemo", "ZhenxingTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ZhenxingCLITests",
            dependencies: ["zhenxing", "ZhenxingTestSupport", "ZhenxingStore", "ZhenxingDomain", .product(name: "SQLKit", package: "sql-kit")],
            swiftSettings: strict
        ),
    ]
)
