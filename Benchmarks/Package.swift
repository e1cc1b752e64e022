// swift-tools-version:6.1
// The benchmark suite of LabelAssign (package-benchmark). It lives in its own package so
// that the library's dependency graph stays small: `cd Benchmarks && swift package benchmark`.
import Foundation
import PackageDescription

/// The root package is a path dependency; its identity is the name of its folder.
let rootIdentity = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().lastPathComponent.lowercased()

let package = Package(
    name: "LabelAssignBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "AssignBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LabelAssign", package: rootIdentity),
                .product(name: "LabelAssignCompare", package: rootIdentity),
            ],
            path: "Benchmarks/AssignBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
