// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "LabelAssign",
    products: [
        .library(name: "LabelAssign", targets: ["LabelAssign"]),
        .library(name: "labelassign_c", type: .dynamic, targets: ["LabelAssignC"]),
        .executable(name: "labelassign", targets: ["labelassign"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "CAssignKernels",
            dependencies: ["CBLAS"]
        ),
        .target(
            name: "LabelAssign",
            dependencies: ["CAssignKernels", "CBLAS"]
        ),
        .target(
            name: "LabelAssignC",
            dependencies: ["LabelAssign"]
        ),
        .executableTarget(
            name: "labelassign",
            dependencies: [
                "LabelAssign",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "LabelAssignTests",
            dependencies: ["LabelAssign", "LabelAssignC"]
        ),
    ]
)
