import Foundation
import Testing
import VigilCrypto

/// A CA and node made entirely with the openssl command line, in a temporary directory,
/// the way `Scripts/certs` makes the real federation's.
struct OpenSSLFederation {
    let directory: TemporaryDirectory
    var caCertificatePath: String { directory.path("ca.crt") }
    var caKeyPath: String { directory.path("ca.key") }

    /// `openssl req -x509 -newkey ed25519 -nodes -keyout ca.key -out ca.crt -subj "/CN=Test CA/O=Test" -days 30`.
    init(directory: TemporaryDirectory, sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.directory = directory
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", directory.path("ca.key"),
                            "-out", directory.path("ca.crt"), "-subj", "/CN=Test CA/O=Test", "-days", "30"],
                           in: directory, sourceLocation: sourceLocation)
    }

    /// Signs the CSR at `csrPath` with the CA (`openssl x509 -req … -CAcreateserial -days <days>`)
    /// and returns the path of the new certificate.
    func sign(csrPath: String, days: Int, as name: String,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let path = directory.path(name)
        try OpenSSLCLI.run(["x509", "-req", "-in", csrPath, "-CA", caCertificatePath, "-CAkey", caKeyPath,
                            "-CAcreateserial", "-days", String(days), "-out", path],
                           in: directory, sourceLocation: sourceLocation)
        return path
    }

    /// Makes a node key with `openssl genpkey` (chmod 600), its CSR with `openssl req -new`, and a
    /// certificate signed by the CA; returns the paths of the key and of the certificate.
    func makeNode(name: String, days: Int,
                  sourceLocation: SourceLocation = #_sourceLocation) throws -> (key: String, certificate: String) {
        let keyPath = directory.path("\(name).key")
        let csrPath = directory.path("\(name).csr")
        try OpenSSLCLI.run(["genpkey", "-algorithm", "ed25519", "-out", keyPath], in: directory, sourceLocation: sourceLocation)
        try setPermissions(0o600, of: keyPath)
        try OpenSSLCLI.run(["req", "-new", "-key", keyPath, "-subj", "/CN=\(name)/O=Org", "-out", csrPath],
                           in: directory, sourceLocation: sourceLocation)
        return (keyPath, try sign(csrPath: csrPath, days: days, as: "\(name).crt", sourceLocation: sourceLocation))
    }
}

/// Certificates made by the openssl command line, read and verified by `Certificate`.
@Suite("Certificates from the openssl command line")
struct OpenSSLCertificateTests {
    @Test("an openssl-made node certificate loads and verifies against the openssl-made CA")
    func verifies() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let node = try federation.makeNode(name: "node-a", days: 30)

        let ca = try Certificate(contentsOfFile: federation.caCertificatePath)
        let cert = try Certificate(contentsOfFile: node.certificate)
        let nodeKey = try KeyFile.read(from: node.key)
        let time = cert.notBefore + 60

        try cert.verify(issuedBy: ca, at: time)
        try cert.verifyNodeCertificate(issuedBy: ca, for: nodeKey.publicKey, at: time)
        #expect(try cert.publicKey() == nodeKey.publicKey)
        #expect(try cert.publicKey().rawRepresentation == OpenSSLCLI.rawEd25519PublicKey(ofKeyFile: node.key, in: directory))
        #expect(cert.commonName == "node-a")
        #expect(cert.organisation == "Org")
        #expect(cert.issuerCommonName == "Test CA")
        #expect(ca.commonName == "Test CA")
        #expect(ca.organisation == "Test")
        #expect(cert.notAfter.timeIntervalSince(cert.notBefore) == 30 * 86_400)
        #expect(try ca.publicKey().rawRepresentation == OpenSSLCLI.rawEd25519PublicKey(ofKeyFile: federation.caKeyPath, in: directory))
    }

    @Test("the fingerprint of an openssl-made certificate is the SHA-256 of its DER")
    func fingerprint() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let node = try federation.makeNode(name: "node-a", days: 30)
        let cert = try Certificate(contentsOfFile: node.certificate)
        #expect(cert.sha256Fingerprint == SHA256.hash(try OpenSSLCLI.certificateDER(ofFile: node.certificate, in: directory)))
    }

    @Test("another node's key does not match an openssl-made certificate")
    func keyMismatch() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let nodeA = try federation.makeNode(name: "node-a", days: 30)
        let nodeB = try federation.makeNode(name: "node-b", days: 30)
        let ca = try Certificate(contentsOfFile: federation.caCertificatePath)
        let certA = try Certificate(contentsOfFile: nodeA.certificate)
        let keyB = try KeyFile.read(from: nodeB.key)
        expectCryptoError(.certificateKeyMismatch) {
            try certA.verifyNodeCertificate(issuedBy: ca, for: keyB.publicKey, at: certA.notBefore + 60)
        }
    }

    @Test("an openssl-made certificate is expired a day after its one-day validity")
    func expired() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let node = try federation.makeNode(name: "node-a", days: 1)
        let ca = try Certificate(contentsOfFile: federation.caCertificatePath)
        let cert = try Certificate(contentsOfFile: node.certificate)
        let nodeKey = try KeyFile.read(from: node.key)

        #expect(cert.notAfter.timeIntervalSince(cert.notBefore) == 86_400)
        // Still valid just inside its one day (and the 30-day CA is valid throughout).
        try cert.verifyNodeCertificate(issuedBy: ca, for: nodeKey.publicKey, at: cert.notAfter - 60)
        let checkedAt = cert.notAfter + 86_400
        expectCryptoError(.certificateExpired, messageContains: [ISO8601DateFormatter().string(from: cert.notAfter)]) {
            try cert.verifyNodeCertificate(issuedBy: ca, for: nodeKey.publicKey, at: checkedAt)
        }
        expectCryptoError(.certificateNotYetValid) {
            try cert.verify(issuedBy: ca, at: cert.notBefore - 86_400)
        }
    }

    @Test("an openssl-made certificate does not verify against another openssl-made CA of the same name")
    func otherCAIsUntrusted() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let otherDirectory = try TemporaryDirectory()
        defer { otherDirectory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let other = try OpenSSLFederation(directory: otherDirectory)
        let node = try federation.makeNode(name: "node-a", days: 30)
        let cert = try Certificate(contentsOfFile: node.certificate)
        let otherCA = try Certificate(contentsOfFile: other.caCertificatePath)
        expectCryptoError(.untrustedCertificate, messageContains: ["federation CA"]) {
            try cert.verify(issuedBy: otherCA, at: cert.notBefore + 60)
        }
    }

    @Test("an openssl-made certificate does not verify against an in-memory CA of the same name")
    func inMemoryCAIsNotTheIssuer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let node = try federation.makeNode(name: "node-a", days: 30)
        let cert = try Certificate(contentsOfFile: node.certificate)
        let impostor = try CertificateAuthority(commonName: "Test CA", organisation: "Test",
                                                notBefore: cert.notBefore - 86_400, notAfter: cert.notAfter + 86_400)
        expectCryptoError(.untrustedCertificate) { try cert.verify(issuedBy: impostor.certificate, at: cert.notBefore + 60) }
    }

    @Test("a certificate for a P-256 key is read but its key is refused")
    func nonEd25519Certificate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("ec.crt")
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-keyout", directory.path("ec.key"), "-out", path, "-subj", "/CN=EC node/O=Org", "-days", "30"],
                           in: directory)
        let cert = try Certificate(contentsOfFile: path)
        #expect(cert.commonName == "EC node")
        expectCryptoError(.invalidCertificate, messageContains: ["Ed25519"]) { try cert.publicKey() }
    }
}
