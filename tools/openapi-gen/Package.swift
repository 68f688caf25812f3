// swift-tools-version: 6.1
// Pins the Swift OpenAPI Generator used by scripts/generate-openapi.
// This package has no targets of its own; build the generator with:
//   swift build -c debug --product swift-openapi-generator \
//     --package-path tools/openapi-gen --scratch-path tools/openapi-gen/.build
import PackageDescription

let package = Package(
    name: "openapi-gen",
    dependencies: [
        .package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3"),
    ],
    targets: []
)
