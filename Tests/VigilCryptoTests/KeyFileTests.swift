import Foundation
import Testing
import VigilCrypto

/// Private key files: created 0600 and never overwritten; refused when others can read them;
/// interoperable with `openssl genpkey`.
@Suite("Key files")
struct KeyFileTests {
    @Test("pemRepresentation is unencrypted PKCS#8 PEM and reads back to the same key")
    func pemRepresentation() throws {
        let key = try fixedSigningKey(0x21)
        let pem = try key.pemRepresentation()
        let text = pem.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
        #expect(text.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(text.hasSuffix("-----END PRIVATE KEY-----\n"))
        #expect(pem.count == text.utf8.count)
        #expect(try SigningKey(pem: pem).publicKey == key.publicKey)
    }

    @Test("a written key file has mode 0600 and reads back to the same key")
    func writeThenRead() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("node.key")
        let key = try fixedSigningKey(0x22)

        try KeyFile.write(key, to: path)
        #expect(try permissionBits(of: path) == 0o600)
        let loaded = try KeyFile.read(from: path)
        #expect(loaded.publicKey == key.publicKey)
        // Same private key: the same deterministic signature.
        let message = Array("round trip".utf8)
        #expect(try loaded.signature(for: message, in: .entry) == (try key.signature(for: message, in: .entry)))
    }

    @Test("openssl reads a key file written by KeyFile and derives the same public key")
    func opensslReadsWrittenKey() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("node.key")
        let key = try fixedSigningKey(0x23)
        try KeyFile.write(key, to: path)
        #expect(try OpenSSLCLI.rawEd25519PublicKey(ofKeyFile: path, in: directory) == key.publicKey.rawRepresentation)
    }

    @Test("writing over an existing file throws keyFileExists and leaves the file unchanged")
    func neverOverwrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("node.key")
        let original = try fixedSigningKey(0x24)
        try KeyFile.write(original, to: path)
        let before = try fileContents(path)

        expectCryptoError(.keyFileExists, messageContains: [path]) {
            try KeyFile.write(try fixedSigningKey(0x25), to: path)
        }
        #expect(try fileContents(path) == before)
        #expect(try permissionBits(of: path) == 0o600)
        #expect(try KeyFile.read(from: path).publicKey == original.publicKey)
    }

    @Test("an existing file that is not a key is not overwritten either")
    func neverOverwritesOtherFiles() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("notes.txt")
        let contents = Data("someone else's file\n".utf8)
        #expect(FileManager.default.createFile(atPath: path, contents: contents))
        expectCryptoError(.keyFileExists) { try KeyFile.write(try fixedSigningKey(0x26), to: path) }
        #expect(FileManager.default.contents(atPath: path) == contents)
    }

    @Test("a key file others can read is refused with advice to chmod 600", arguments: [0o644, 0o640, 0o604, 0o660])
    func unsafeModeIsRefused(mode: Int) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("node.key")
        try KeyFile.write(try fixedSigningKey(0x27), to: path)
        try setPermissions(mode, of: path)
        #expect(try permissionBits(of: path) == mode)

        expectCryptoError(.keyFileUnsafe, messageContains: ["chmod 600", path, String(mode, radix: 8)]) {
            try KeyFile.read(from: path)
        }
        // After the advised chmod the same file loads.
        try setPermissions(0o600, of: path)
        #expect(try KeyFile.read(from: path).publicKey == (try fixedSigningKey(0x27)).publicKey)
    }

    @Test("a key file owner-read-only (0400) loads")
    func readOnlyModeLoads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("node.key")
        let key = try fixedSigningKey(0x28)
        try KeyFile.write(key, to: path)
        try setPermissions(0o400, of: path)
        #expect(try KeyFile.read(from: path).publicKey == key.publicKey)
    }

    @Test("a file of garbage fails with invalidPEM")
    func garbageIsInvalidPEM() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("garbage.key")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("this is not a PEM key\n".utf8),
                                               attributes: [.posixPermissions: NSNumber(value: 0o600)]))
        try setPermissions(0o600, of: path)
        expectCryptoError(.invalidPEM, messageContains: [path]) { try KeyFile.read(from: path) }
    }

    @Test("a truncated PEM key file fails with invalidPEM")
    func truncatedIsInvalidPEM() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let full = directory.path("full.key")
        try KeyFile.write(try fixedSigningKey(0x29), to: full)
        let bytes = try fileContents(full)
        let path = directory.path("truncated.key")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes.prefix(bytes.count / 2))))
        try setPermissions(0o600, of: path)
        expectCryptoError(.invalidPEM) { try KeyFile.read(from: path) }
    }

    @Test("an empty key file fails with invalidPEM")
    func emptyIsInvalidPEM() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("empty.key")
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        try setPermissions(0o600, of: path)
        expectCryptoError(.invalidPEM) { try KeyFile.read(from: path) }
    }

    @Test("a missing key file fails with fileSystem")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("absent.key")
        expectCryptoError(.fileSystem, messageContains: [path]) { try KeyFile.read(from: path) }
    }

    @Test("writing into a missing directory fails with fileSystem")
    func writeIntoMissingDirectory() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("no-such-dir/node.key")
        expectCryptoError(.fileSystem, messageContains: [path]) { try KeyFile.write(try fixedSigningKey(0x2a), to: path) }
    }

    @Test("a key made by openssl genpkey loads with the public key openssl shows")
    func opensslGeneratedKeyLoads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("openssl.key")
        try OpenSSLCLI.run(["genpkey", "-algorithm", "ed25519", "-out", path], in: directory)
        try setPermissions(0o600, of: path)

        let key = try KeyFile.read(from: path)
        let expected = try OpenSSLCLI.rawEd25519PublicKey(ofKeyFile: path, in: directory)
        #expect(key.publicKey.rawRepresentation == expected)
        // And the key signs: its signature verifies under openssl's view of the public key.
        let message = Array("made by openssl".utf8)
        let signature = try key.signature(for: message, in: .entry)
        #expect(try PublicKey(rawRepresentation: expected).isValidSignature(signature, for: message, in: .entry))
    }

    @Test("an RSA key made by openssl is refused with invalidKey")
    func rsaKeyIsRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("rsa.key")
        try OpenSSLCLI.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path],
                           in: directory)
        try setPermissions(0o600, of: path)
        expectCryptoError(.invalidKey, messageContains: ["Ed25519", path]) { try KeyFile.read(from: path) }
    }
}
