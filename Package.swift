// swift-tools-version:6.0
import PackageDescription

/// The release link, for the worker's resident memory (issue 2; figures in Benchmarks/): lld packs
/// the 90,000 relative relocations into a few KiB (DT_RELR, glibc 2.36) instead of 2 MiB that the
/// loader reads at every start, and lays out first the functions a download worker runs
/// (Benchmarks/worker.order, made by Benchmarks/worker-order.sh), so that they share pages.
let releaseLinkerFlags = [
    "-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Benchmarks/worker.order",
    "-Xlinker", "--no-warn-symbol-ordering",
]

let package = Package(
    name: "bgxfer",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bgxfer", targets: ["bgxfer"]),
        .executable(name: "bgxfer-notify", targets: ["bgxfer-notify"]),
        // For the fuzz targets (Tests/Fuzz), a package of their own built with sanitizers.
        .library(name: "BgxferCore", targets: ["BgxferCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .systemLibrary(
            name: "CNotify",
            pkgConfig: "libnotify",
            providers: [.apt(["libnotify-dev"])]
        ),
        .target(name: "CBgxferSupport"),
        .target(
            name: "BgxferCore",
            dependencies: [
                "CCurl",
                "CSystemd",
                "CBgxferSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "BgxferCLI",
            dependencies: [
                "BgxferCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "bgxfer",
            dependencies: [
                "BgxferCLI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [.unsafeFlags(releaseLinkerFlags, .when(configuration: .release))]
        ),
        .executableTarget(name: "bgxfer-notify", dependencies: ["CNotify"]),
        .testTarget(
            name: "BgxferTests",
            dependencies: ["BgxferCore", "BgxferCLI"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["BgxferCore", "CBgxferSupport", "CSystemd", "bgxfer", "bgxfer-notify"]
        ),
    ]
)
