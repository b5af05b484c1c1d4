import Foundation
import Testing
import VigilCrypto

// Shared helpers for the VigilCrypto tests: locating the shared test data, temporary directories,
// running the openssl command line, fixed dates and keys, and checking CryptoError codes.

// MARK: - Test data

/// The shared test data, read in place from `shared/testdata/` beside the repository checkout.
enum TestData {
    /// The repository root: this file is `<root>/Tests/VigilCryptoTests/TestSupport.swift`.
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()   // VigilCryptoTests
            .deletingLastPathComponent()   // Tests
            .deletingLastPathComponent()   // repository root
    }

    /// `<root>/../shared/testdata/ed25519`.
    static var ed25519Directory: URL {
        repositoryRoot.appendingPathComponent("../shared/testdata/ed25519", isDirectory: true).standardizedFileURL
    }

    /// Reads `name` from the Ed25519 test-data folder. A missing file fails the calling test.
    static func ed25519(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        let path = ed25519Directory.appendingPathComponent(name).path
        return try #require(
            FileManager.default.contents(atPath: path),
            "test data file is missing: \(path) — the shared/ folder (with testdata/ed25519/\(name)) must sit beside the repository checkout at \(repositoryRoot.path)",
            sourceLocation: sourceLocation)
    }

    /// Decodes `name` from the Ed25519 test-data folder as `T`.
    static func decodeEd25519<T: Decodable>(_ type: T.Type, from name: String,
                                            sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        let data = try ed25519(name, sourceLocation: sourceLocation)
        return try JSONDecoder().decode(T.self, from: data)
    }
}

/// Parses hex from a test vector; malformed hex fails the calling test.
func hexBytes(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    try #require(bytes(fromHex: text), "not hexadecimal: \(text.prefix(80))", sourceLocation: sourceLocation)
}

// MARK: - Temporary directories

/// A fresh directory under the system temporary directory. Call `remove()` in a `defer`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("VigilCryptoTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The permission bits (`st_mode & 0o7777`) of the file at `path`, without following a symbolic link.
func permissionBits(of path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
    var info = stat()
    let status = lstat(path, &info)
    try #require(status == 0, "cannot stat \(path): errno \(errno)", sourceLocation: sourceLocation)
    return Int(info.st_mode & 0o7777)
}

/// Sets the permission bits of the file at `path`.
func setPermissions(_ mode: Int, of path: String) throws {
    try FileManager.default.setAttributes([.posixPermissions: NSNumber(value: mode)], ofItemAtPath: path)
}

/// Reads a whole file; a missing file fails the calling test.
func fileContents(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
    Array(try #require(FileManager.default.contents(atPath: path), "cannot read \(path)", sourceLocation: sourceLocation))
}

// MARK: - The openssl command line

/// What an openssl run printed and how it ended.
struct CommandResult {
    let status: Int32
    let stdout: Data
    let stderr: Data
    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs `/usr/bin/openssl` through Foundation's `Process`.
enum OpenSSLCLI {
    static let executable = "/usr/bin/openssl"

    /// Runs openssl with `arguments` in `directory`, and fails the calling test (with openssl's stderr)
    /// when it exits with a non-zero status.
    @discardableResult
    static func run(_ arguments: [String], in directory: TemporaryDirectory,
                    sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let result = try runAllowingFailure(arguments, in: directory, sourceLocation: sourceLocation)
        try #require(
            result.status == 0,
            "openssl \(arguments.joined(separator: " ")) exited with status \(result.status): \(result.stderrText)",
            sourceLocation: sourceLocation)
        return result
    }

    /// Runs openssl with `arguments` in `directory` and returns its status and output, whatever the status.
    static func runAllowingFailure(_ arguments: [String], in directory: TemporaryDirectory,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        try #require(FileManager.default.isExecutableFile(atPath: executable),
                     "the openssl command line is needed by this test and was not found at \(executable)",
                     sourceLocation: sourceLocation)
        // Output goes to files, not pipes, so a chatty child can never block on a full pipe.
        let tag = UUID().uuidString
        let stdoutPath = directory.path(".openssl-\(tag).stdout")
        let stderrPath = directory.path(".openssl-\(tag).stderr")
        defer {
            try? FileManager.default.removeItem(atPath: stdoutPath)
            try? FileManager.default.removeItem(atPath: stderrPath)
        }
        try #require(FileManager.default.createFile(atPath: stdoutPath, contents: nil), "cannot create \(stdoutPath)",
                     sourceLocation: sourceLocation)
        try #require(FileManager.default.createFile(atPath: stderrPath, contents: nil), "cannot create \(stderrPath)",
                     sourceLocation: sourceLocation)
        let stdoutHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        let stderrHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory.url
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        try process.run()
        process.waitUntilExit()
        try stdoutHandle.close()
        try stderrHandle.close()

        return CommandResult(status: process.terminationStatus,
                             stdout: FileManager.default.contents(atPath: stdoutPath) ?? Data(),
                             stderr: FileManager.default.contents(atPath: stderrPath) ?? Data())
    }

    /// The raw 32-byte Ed25519 public key of the private key file at `keyPath`, as openssl computes it
    /// (`openssl pkey -pubout -outform DER`: a 12-byte SubjectPublicKeyInfo header, then the key).
    static func rawEd25519PublicKey(ofKeyFile keyPath: String, in directory: TemporaryDirectory,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let der = Array(try run(["pkey", "-in", keyPath, "-pubout", "-outform", "DER"], in: directory,
                                sourceLocation: sourceLocation).stdout)
        try #require(der.count == 44, "an Ed25519 SubjectPublicKeyInfo is 44 bytes, openssl gave \(der.count)",
                     sourceLocation: sourceLocation)
        #expect(hex(der.prefix(12)) == "302a300506032b6570032100", "unexpected SPKI header", sourceLocation: sourceLocation)
        return Array(der.suffix(32))
    }

    /// The DER encoding of the PEM certificate file at `certificatePath`.
    static func certificateDER(ofFile certificatePath: String, in directory: TemporaryDirectory,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        Array(try run(["x509", "-in", certificatePath, "-outform", "DER"], in: directory,
                      sourceLocation: sourceLocation).stdout)
    }
}

// MARK: - Fixed dates and keys

/// A UTC date from an ISO 8601 stamp such as `2026-01-01T00:00:00Z`.
func utc(_ stamp: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Date {
    try #require(ISO8601DateFormatter().date(from: stamp), "bad date stamp \(stamp)", sourceLocation: sourceLocation)
}

/// A deterministic signing key: the seed is 32 copies of `byte`.
func fixedSigningKey(_ byte: UInt8) throws -> SigningKey {
    try SigningKey(seed: SecureBytes([UInt8](repeating: byte, count: 32)))
}

/// `bytes` with bit `bit` (0 = least significant bit of byte 0) inverted.
func flippingBit(_ bit: Int, of bytes: [UInt8]) -> [UInt8] {
    var copy = bytes
    copy[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
    return copy
}

// MARK: - Expected errors

/// Runs `body`, which must throw a `CryptoError` with `code` whose message contains every fragment.
/// Returns the error so the caller can check more.
@discardableResult
func expectCryptoError<R>(_ code: CryptoError.Code, messageContains fragments: [String] = [],
                          sourceLocation: SourceLocation = #_sourceLocation,
                          _ body: () throws -> R) -> CryptoError? {
    do {
        let value = try body()
        Issue.record("expected CryptoError .\(code), but the call succeeded and returned \(value)",
                     sourceLocation: sourceLocation)
        return nil
    } catch let error as CryptoError {
        #expect(error.code == code, "expected .\(code), got .\(error.code): \(error.message)",
                sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "the message should mention \"\(fragment)\": \(error.message)",
                    sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record("expected CryptoError .\(code), got \(type(of: error)): \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
