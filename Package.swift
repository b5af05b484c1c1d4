// swift-tools-version:6.0
// Vigil — federated peer-sync messaging node. Toolchain and OpenSSL 3 only: no package dependencies.
import PackageDescription

let package = Package(
    name: "Vigil",
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
    ],
    targets: [
        // OpenSSL 3 from the system (Debian: libssl-dev).
        .systemLibrary(
            name: "COpenSSL",
            path: "Sources/COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // Only what the Swift importer cannot see (function-like macros), with prefixed names.
        .target(name: "CVigilShim", dependencies: ["COpenSSL"], path: "Sources/CVigilShim"),
        // The only module that imports OpenSSL. No C type leaves it.
        .target(name: "VigilCrypto", dependencies: ["COpenSSL", "CVigilShim"]),
        // Entries, canonical encoding, HLC, audience, validation. Pure: no I/O.
        .target(name: "VigilModel", dependencies: ["VigilCrypto"]),
        // The command-line tool.
        .executableTarget(name: "vigil", dependencies: ["VigilCrypto", "VigilModel"]),

        .testTarget(name: "VigilCryptoTests", dependencies: ["VigilCrypto"]),
        .testTarget(name: "VigilModelTests", dependencies: ["VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilCLITests", dependencies: ["VigilModel", "VigilCrypto"]),
    ],
    swiftLanguageModes: [.v6]
)
