// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets for bgxfer's parsers of untrusted input (`make fuzz`; README,
/// "Development"). A package of its own, because every module is built with
/// `-sanitize=fuzzer,address` (Makefile), which bgxfer itself never is. Each target is an
/// executable whose `main` hands its `LLVMFuzzerTestOneInput` to libFuzzer's driver
/// (`FuzzDriver`), since SwiftPM gives an executable a main of its own.
let targets = [
    "resume-data", "content-disposition", "header-field", "quantity", "transfer-url", "http-date", "timestamp",
    "netlink", "content-range",
]

let package = Package(
    name: "bgxfer-fuzz",
    dependencies: [.package(name: "bgxfer", path: "../..")],
    targets: [.target(name: "FuzzDriver")]
        + targets.map { name in
            .executableTarget(
                name: "fuzz-\(name)",
                dependencies: ["FuzzDriver", .product(name: "BgxferCore", package: "bgxfer")],
                path: "Sources/\(name)",
                // lld: with gold, libFuzzer's own main and SwiftPM's --defsym main= collide.
                linkerSettings: [.unsafeFlags(["-use-ld=lld"])])
        }
)
