// swift-tools-version:6.1
import PackageDescription

// Module graph (each arrow is "is used by"; the compiler enforces the direction):
//
//   _LabelAssignKernels (C, hidden) ─┐
//   CBLAS (OpenBLAS) ────────────────┴─> LabelAssign ─> LabelAssignIO ─> LabelAssignCompare ─> LabelAssignCLI
//                                              └──────────────┴─> LabelAssignCABI

let package = Package(
    name: "LabelAssign",
    products: [
        // MARK: - Public API
        /// The engine a trainer links: scenes, geometry, assigners, transport, targets, batches.
        .library(name: "LabelAssign", targets: ["LabelAssign"]),
        /// Scene and problem files (JSON) in and out.
        .library(name: "LabelAssignIO", targets: ["LabelAssignIO"]),
        /// Workloads, dataset readers, the comparison of assigners and its report.
        .library(name: "LabelAssignCompare", targets: ["LabelAssignCompare"]),
        /// The C ABI (`labelassign.h`) as a shared library.
        .library(name: "labelassign_c", type: .dynamic, targets: ["LabelAssignCABI"]),
        /// The command-line tool.
        .executable(name: "labelassign", targets: ["LabelAssignCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Implementation details
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        /// C kernels with no stable API (symbols `lak_`): batched geometry, candidate costs,
        /// Sinkhorn iterations, losses.
        .target(name: "_LabelAssignKernels"),

        // MARK: - Engine and tools
        .target(
            name: "LabelAssign",
            dependencies: ["_LabelAssignKernels", "CBLAS"]
        ),
        .target(
            name: "LabelAssignIO",
            dependencies: ["LabelAssign"]
        ),
        .target(
            name: "LabelAssignCompare",
            dependencies: ["LabelAssign", "LabelAssignIO"]
        ),
        .target(
            name: "LabelAssignCABI",
            dependencies: ["LabelAssign", "LabelAssignIO"]
        ),
        .executableTarget(
            name: "LabelAssignCLI",
            dependencies: [
                "LabelAssign", "LabelAssignIO", "LabelAssignCompare",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Tests
        .target(
            name: "LabelAssignTestSupport",
            dependencies: ["LabelAssign", "LabelAssignIO", "LabelAssignCompare"],
            path: "Tests/LabelAssignTestSupport"
        ),
        .testTarget(
            name: "LabelAssignTests",
            dependencies: [
                "LabelAssign", "LabelAssignIO", "LabelAssignCompare", "LabelAssignCABI",
                "LabelAssignTestSupport", "_LabelAssignKernels",
            ]
        ),
    ]
)
