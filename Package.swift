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
        // The local API's typed requests and answers, shared by the CLI, the node and the desk. Pure: no I/O.
        .target(name: "VigilAPI", dependencies: ["VigilModel"]),
        // Segment files, group commit, recovery. Disk I/O only.
        .target(name: "VigilStore", dependencies: ["VigilModel", "VigilCrypto"]),
        // Appends to a store until SIGKILLed: the child of the crash-safety test and Scripts/soak-store.
        .executableTarget(name: "vigil-store-crash-child", dependencies: ["VigilStore", "VigilModel", "VigilCrypto"],
                          path: "Tests/VigilStoreCrashChild"),
        // The CRDT: the grow-only entry set and every view derived from it. Pure: no I/O.
        .target(name: "VigilLog", dependencies: ["VigilModel"]),
        // Sneakernet bundles: the file format, sealing to recipients' X25519 keys, opening. Pure apart from crypto.
        .target(name: "VigilBundle", dependencies: ["VigilModel", "VigilCrypto"]),
        // Reconciliation, wire messages and the per-peer session state machine. Pure: returns directives.
        .target(name: "VigilSync", dependencies: ["VigilModel", "VigilCrypto"]),
        // Test support: a seeded simulator that drives the real cores under faults.
        .target(name: "VigilSim", dependencies: ["VigilSync", "VigilModel", "VigilCrypto"]),
        .executableTarget(name: "vigil-sim", dependencies: ["VigilSim"]),
        // Sockets, the epoll event loop, TLS connections, framing, dialer, listener (docs/threading.md).
        .target(name: "VigilNet", dependencies: ["VigilCrypto", "VigilSync", "VigilModel"]),
        // The node: wires store, log, sync and net; the local API. Does I/O.
        .target(name: "VigilNode", dependencies: ["VigilAPI", "VigilDesk", "VigilBundle", "VigilSync", "VigilStore", "VigilLog", "VigilNet", "VigilModel", "VigilCrypto"]),
        // Shared by the benchmarks: the openssl speed baseline, clocks, the report format.
        .target(name: "VigilBenchSupport"),
        .executableTarget(name: "vigil-bench-store", dependencies: ["VigilBenchSupport", "VigilNode", "VigilStore", "VigilModel", "VigilCrypto"]),
        .executableTarget(name: "vigil-bench-sync", dependencies: ["VigilBenchSupport", "VigilAPI", "VigilNode", "VigilSync", "VigilStore", "VigilNet", "VigilModel", "VigilCrypto"]),
        // Sneakernet bundle export and import against `openssl speed` (Scripts/bench-bundle).
        .executableTarget(name: "vigil-bench-bundle", dependencies: ["VigilBenchSupport", "VigilNode", "VigilBundle", "VigilStore", "VigilModel", "VigilCrypto"]),
        // The commit a release binary was built from (Scripts/package defines it; empty in a development build).
        .target(name: "CVigilBuild", path: "Sources/CVigilBuild"),
        // The duty desk's pure cores: HTTP/1.1 parsing and responses, the connection state machine,
        // officers, sessions, login throttling, security headers (docs/desk.md). No I/O.
        .target(name: "VigilDesk", dependencies: ["VigilAPI", "VigilCAP", "VigilModel", "VigilCrypto"], resources: [.embedInCode("Web")]),
        // The command-line tool.
        .executableTarget(name: "vigil", dependencies: ["VigilAPI", "VigilCrypto", "VigilModel", "VigilStore", "VigilSync", "VigilNode", "VigilCAP", "VigilBundle", "VigilDesk", "CVigilBuild"]),
        // What the fuzz targets share: the libFuzzer driver hand-over and the replayer's file handling.
        .target(name: "VigilFuzzSupport"),
        // libFuzzer target for the entry decoder; built normally it replays a corpus (Scripts/fuzz, docs/fuzzing.md).
        .executableTarget(name: "vigil-fuzz-entry", dependencies: ["VigilFuzzSupport", "VigilModel", "VigilCrypto"]),
        // libFuzzer target for frames, sync messages, Negentropy messages, field maps and the genesis.
        .executableTarget(name: "vigil-fuzz-sync", dependencies: ["VigilFuzzSupport", "VigilAPI", "VigilSync", "VigilModel", "VigilNode"]),
        // Ed25519 and entry codec throughput against `openssl speed` (Scripts/bench-crypto).
        .executableTarget(name: "vigil-bench-crypto", dependencies: ["VigilBenchSupport", "VigilModel", "VigilCrypto"]),
        // Negentropy conformance harness: the reference test harness's line protocol (docs/negentropy.md).
        .executableTarget(name: "vigil-negentropy-harness", dependencies: ["VigilSync", "VigilModel", "VigilCrypto"]),
        // CAP 1.2 import/export for alert entries (docs/cap.md). Pure: no I/O. (VigilAPI: an alert's export
        // from the local API's answers, shared by `vigil export --cap` and the desk.)
        .target(name: "VigilCAP", dependencies: ["VigilAPI", "VigilModel"]),
        // libFuzzer target for the CAP parser; built normally it replays files (Scripts/fuzz cap).
        .executableTarget(name: "vigil-fuzz-cap", dependencies: ["VigilFuzzSupport", "VigilCAP"]),
        // CAP import/export rates against xmllint --noout (Scripts/bench-cap).
        .executableTarget(name: "vigil-bench-cap", dependencies: ["VigilBenchSupport", "VigilCAP", "VigilModel"]),

        // libFuzzer target for the bundle file decoder, opener and payload decoder (Scripts/fuzz bundle).
        .executableTarget(name: "vigil-fuzz-bundle", dependencies: ["VigilFuzzSupport", "VigilBundle", "VigilModel", "VigilCrypto"]),
        // The desk of a node process holding 100,000 entries against the limits (Scripts/bench-desk).
        .executableTarget(name: "vigil-bench-desk", dependencies: ["VigilBenchSupport", "VigilAPI", "VigilDesk", "VigilStore", "VigilModel", "VigilCrypto", "VigilBrowserTesting"]),
        // libFuzzer target for the desk's HTTP/1.1 request parser and connection machine (Scripts/fuzz http).
        .executableTarget(name: "vigil-fuzz-http", dependencies: ["VigilFuzzSupport", "VigilDesk"]),

        .testTarget(name: "VigilCryptoTests", dependencies: ["VigilCrypto"]),
        .testTarget(name: "VigilModelTests", dependencies: ["VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilStoreTests", dependencies: ["VigilStore", "VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilLogTests", dependencies: ["VigilLog", "VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilSyncTests", dependencies: ["VigilSync", "VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilSimTests", dependencies: ["VigilSim", "VigilSync", "VigilModel", "VigilLog", "VigilCrypto"]),
        .testTarget(name: "VigilNetTests", dependencies: ["VigilNet", "VigilCrypto", "VigilSync", "VigilModel"]),
        .testTarget(name: "VigilNodeTests", dependencies: ["VigilAPI", "VigilBenchSupport", "VigilBrowserTesting", "VigilDesk", "VigilNode", "VigilStore", "VigilSync", "VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilAPITests", dependencies: ["VigilAPI", "VigilModel"]),
        .testTarget(name: "VigilBundleTests", dependencies: ["VigilBundle", "VigilModel", "VigilCrypto"]),
        .testTarget(name: "VigilCAPTests", dependencies: ["VigilCAP", "VigilModel"]),
        // Test support: headless Chromium over WebDriver, a loopback socket and a minimal HTTP client, for the
        // desk's browser tests against the test host (VigilDeskTests) and against node processes (VigilNodeTests).
        .target(name: "VigilBrowserTesting", path: "Tests/VigilBrowserTesting"),
        .testTarget(name: "VigilDeskTests", dependencies: ["VigilDesk", "VigilAPI", "VigilCAP", "VigilModel", "VigilCrypto", "VigilBrowserTesting"]),
        .testTarget(name: "VigilCLITests", dependencies: ["VigilModel", "VigilCrypto", "VigilStore"]),
    ],
    swiftLanguageModes: [.v6]
)
