import Foundation
import Testing
import VigilCrypto

/// Malformed certificates, keys and seeds are refused with the right error code.
@Suite("Malformed inputs")
struct MalformedInputTests {
    private func validCertificatePEM() throws -> [UInt8] {
        let notBefore = try utc("2026-01-01T00:00:00Z")
        let notAfter = try utc("2027-01-01T00:00:00Z")
        let ca = try CertificateAuthority(commonName: "Malformed CA", organisation: "Test", notBefore: notBefore, notAfter: notAfter)
        return Array(ca.certificate.pemRepresentation.utf8)
    }

    @Test("Certificate(pem:) refuses garbage")
    func garbageCertificate() {
        expectCryptoError(.invalidCertificate, messageContains: ["BEGIN CERTIFICATE"]) {
            try Certificate(pem: Array("this is not a certificate".utf8))
        }
    }

    @Test("Certificate(pem:) refuses an empty document")
    func emptyCertificate() {
        expectCryptoError(.invalidCertificate) { try Certificate(pem: []) }
    }

    @Test("Certificate(pem:) refuses a truncated certificate")
    func truncatedCertificate() throws {
        let pem = try validCertificatePEM()
        // The full document parses; cut it anywhere inside and it no longer does.
        _ = try Certificate(pem: pem)
        for length in [pem.count / 2, pem.count - 40, 40] {
            expectCryptoError(.invalidCertificate) { try Certificate(pem: Array(pem.prefix(length))) }
        }
    }

    @Test("Certificate(pem:) refuses a certificate whose base64 body was damaged")
    func damagedCertificate() throws {
        let text = String(decoding: try validCertificatePEM(), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Drop one line of the base64 body: the DER length no longer matches.
        lines.remove(at: 2)
        expectCryptoError(.invalidCertificate) { try Certificate(pem: Array(lines.joined(separator: "\n").utf8)) }
    }

    @Test("Certificate(pem:) refuses a private key PEM")
    func privateKeyIsNotACertificate() throws {
        let pem = try fixedSigningKey(0x51).pemRepresentation()
        let bytes = pem.withUnsafeBytes { Array($0) }
        expectCryptoError(.invalidCertificate) { try Certificate(pem: bytes) }
    }

    @Test("Certificate(contentsOfFile:) on a missing file fails with fileSystem")
    func missingCertificateFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("absent.crt")
        expectCryptoError(.fileSystem, messageContains: [path]) { try Certificate(contentsOfFile: path) }
    }

    @Test("Certificate(contentsOfFile:) on garbage fails with invalidCertificate naming the file")
    func garbageCertificateFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("garbage.crt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("garbage".utf8)))
        expectCryptoError(.invalidCertificate, messageContains: [path]) { try Certificate(contentsOfFile: path) }
    }

    @Test("PublicKey(rawRepresentation:) refuses the wrong length", arguments: [0, 31, 33, 64])
    func publicKeyLength(count: Int) {
        expectCryptoError(.invalidKey, messageContains: ["32 bytes", "got \(count)"]) {
            try PublicKey(rawRepresentation: [UInt8](repeating: 0x5a, count: count))
        }
    }

    @Test("SigningKey(seed:) refuses the wrong length", arguments: [0, 31, 33, 64])
    func seedLength(count: Int) {
        expectCryptoError(.invalidKey, messageContains: ["32 bytes", "got \(count)"]) {
            try SigningKey(seed: SecureBytes([UInt8](repeating: 0x5a, count: count)))
        }
    }

    @Test("SigningKey(pem:) refuses garbage and a public key PEM")
    func signingKeyPEM() throws {
        expectCryptoError(.invalidPEM) { try SigningKey(pem: SecureBytes(Array("garbage".utf8))) }
        expectCryptoError(.invalidPEM) { try SigningKey(pem: SecureBytes([UInt8]())) }
        let publicPEM = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAfU0Of2FTpptiQrUiq77mhf2kQg+INLEIw72uNp71Sfo=\n-----END PUBLIC KEY-----\n"
        expectCryptoError(.invalidPEM) { try SigningKey(pem: SecureBytes(Array(publicPEM.utf8))) }
    }
}
