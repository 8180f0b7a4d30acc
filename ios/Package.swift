// swift-tools-version:6.0
// Jeton for iOS (and macOS): the generated Swift bindings plus the Swift shell, over the Rust
// core. On Apple platforms the core comes as build/JetonFFI.xcframework (ios/build-xcframework.sh).
// On Linux the same package builds and tests against the host library: run ios/generate.sh, then
// `LD_LIBRARY_PATH=../target/debug swift test`.
import PackageDescription

#if os(Linux)
let core: Target = .systemLibrary(name: "JetonFFI", path: "Sources/JetonFFI")
let linkHostLibrary: [LinkerSetting] = [.unsafeFlags(["-L../target/debug"])]
#else
let core: Target = .binaryTarget(name: "JetonFFI", path: "build/JetonFFI.xcframework")
let linkHostLibrary: [LinkerSetting] = []
#endif

let package = Package(
    name: "Jeton",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "Jeton", targets: ["Jeton"]),
    ],
    targets: [
        core,
        // Sources/Jeton/Generated/Jeton.swift is written by generate.sh / build-xcframework.sh
        // (never committed); Sources/Jeton/Shell is the hand-written shell.
        .target(name: "Jeton", dependencies: ["JetonFFI"], path: "Sources/Jeton", linkerSettings: linkHostLibrary),
        // The cost of a tick from Swift (release build, run by scripts/ffi-cost.sh); not shipped.
        .executableTarget(name: "TickBench", dependencies: ["Jeton"], path: "Benchmarks/TickBench", linkerSettings: linkHostLibrary),
        .testTarget(name: "JetonTests", dependencies: ["Jeton"], path: "Tests/JetonTests", linkerSettings: linkHostLibrary),
    ],
    swiftLanguageModes: [.v6]
)
