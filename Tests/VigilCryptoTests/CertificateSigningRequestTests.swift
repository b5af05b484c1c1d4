import Foundation
import Testing
import VigilCrypto

/// `CertificateSigningRequest.pem`: a CSR that openssl accepts and that the openssl CA can sign.
@Suite("Certificate signing requests")
struct CertificateSigningRequestTests {
    private func writeCSR(for key: SigningKey, commonName: String, organisation: String,
                          in directory: TemporaryDirectory, name: String = "node.csr") throws -> String {
        let pem = try CertificateSigningRequest.pem(for: key, commonName: commonName, organisation: organisation)
        let path = directory.path(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(pem.utf8)))
        return path
    }

    @Test("the CSR is a PEM certificate request")
    func pemShape() throws {
        let pem = try CertificateSigningRequest.pem(for: try fixedSigningKey(0x41), commonName: "node-a", organisation: "Org")
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----\n"))
        #expect(pem.hasSuffix("-----END CERTIFICATE REQUEST-----\n"))
    }

    @Test("openssl verifies the CSR's self-signature and shows its subject")
    func opensslAcceptsCSR() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try fixedSigningKey(0x42)
        let path = try writeCSR(for: key, commonName: "node-a", organisation: "Org", in: directory)

        let verify = try OpenSSLCLI.runAllowingFailure(["req", "-in", path, "-verify", "-noout"], in: directory)
        #expect(verify.status == 0, "openssl req -verify failed: \(verify.stderrText)")
        // OpenSSL 3.0 exits 0 even for a bad self-signature; the message is the verdict.
        #expect(verify.stderrText.contains("self-signature verify OK"), "\(verify.stderrText)")

        let subject = try OpenSSLCLI.run(["req", "-in", path, "-noout", "-subject", "-nameopt", "RFC2253"], in: directory)
        // RFC 2253 lists the last RDN first.
        #expect(subject.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "subject=CN=node-a,O=Org")

        // The CSR carries the key's public key.
        let spki = try OpenSSLCLI.run(["req", "-in", path, "-noout", "-pubkey"], in: directory)
        let pubPath = directory.path("node.pub")
        #expect(FileManager.default.createFile(atPath: pubPath, contents: spki.stdout))
        let der = Array(try OpenSSLCLI.run(["pkey", "-pubin", "-in", pubPath, "-outform", "DER"], in: directory).stdout)
        #expect(Array(der.suffix(32)) == key.publicKey.rawRepresentation)
    }

    @Test("openssl notices a CSR whose subject was altered after signing")
    func tamperedCSRFailsVerification() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = try writeCSR(for: try fixedSigningKey(0x43), commonName: "node-a", organisation: "Org", in: directory)
        let der = Array(try OpenSSLCLI.run(["req", "-in", path, "-outform", "DER"], in: directory).stdout)
        // Change the CN "node-a" to "node-b" inside the signed part.
        let cn = Array("node-a".utf8)
        let start = try #require((0...(der.count - cn.count)).first { Array(der[$0..<($0 + cn.count)]) == cn })
        var tampered = der
        tampered[start + cn.count - 1] = UInt8(ascii: "b")
        let tamperedPath = directory.path("tampered.der")
        #expect(FileManager.default.createFile(atPath: tamperedPath, contents: Data(tampered)))
        let verify = try OpenSSLCLI.runAllowingFailure(["req", "-in", tamperedPath, "-inform", "DER", "-verify", "-noout"],
                                                       in: directory)
        // OpenSSL 3.0's `req -verify` exits 0 even when the signature does not verify, so the exit status
        // alone proves little: what it prints is the verdict (the valid CSR above prints "verify OK").
        #expect(!verify.stderrText.contains("verify OK"), "openssl accepted a CSR with an altered subject")
        #expect(verify.stderrText.contains("verify failure"), "\(verify.stderrText)")
    }

    @Test("the openssl CA signs the CSR and the certificate verifies for that key")
    func signedByOpenSSLCA() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let key = try fixedSigningKey(0x44)
        let csrPath = try writeCSR(for: key, commonName: "node-a", organisation: "Org", in: directory)
        let certPath = try federation.sign(csrPath: csrPath, days: 30, as: "node.crt")

        let ca = try Certificate(contentsOfFile: federation.caCertificatePath)
        let cert = try Certificate(contentsOfFile: certPath)
        #expect(cert.commonName == "node-a")
        #expect(cert.organisation == "Org")
        #expect(cert.issuerCommonName == "Test CA")
        try cert.verifyNodeCertificate(issuedBy: ca, for: key.publicKey, at: cert.notBefore + 60)
        expectCryptoError(.certificateKeyMismatch) {
            try cert.verifyNodeCertificate(issuedBy: ca, for: try fixedSigningKey(0x45).publicKey, at: cert.notBefore + 60)
        }
    }

    @Test("a UTF-8 subject survives the CSR and the openssl CA")
    func unicodeSubject() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try OpenSSLFederation(directory: directory)
        let key = try fixedSigningKey(0x46)
        let csrPath = try writeCSR(for: key, commonName: "nœud-ä", organisation: "Zürich", in: directory)
        let certPath = try federation.sign(csrPath: csrPath, days: 30, as: "node.crt")
        let cert = try Certificate(contentsOfFile: certPath)
        #expect(cert.commonName == "nœud-ä")
        #expect(cert.organisation == "Zürich")
    }
}
