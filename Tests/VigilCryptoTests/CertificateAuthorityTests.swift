import Foundation
import Testing
import VigilCrypto

/// A federation CA, a second CA with the same name, and a node certificate issued by the first,
/// all with fixed dates.
private struct Federation {
    static let caName = "Vigil Test Federation CA"

    let caNotBefore: Date
    let caNotAfter: Date
    let notBefore: Date
    let notAfter: Date
    /// Inside the node certificate's validity.
    let midYear: Date
    let ca: CertificateAuthority
    /// Another CA with the same subject (CN and O) as `ca`.
    let impostor: CertificateAuthority
    let nodeKey: SigningKey
    let node: Certificate

    init() throws {
        caNotBefore = try utc("2025-01-01T00:00:00Z")
        caNotAfter = try utc("2030-01-01T00:00:00Z")
        notBefore = try utc("2026-01-01T00:00:00Z")
        notAfter = try utc("2027-01-01T00:00:00Z")
        midYear = try utc("2026-06-01T12:00:00Z")
        ca = try CertificateAuthority(commonName: Self.caName, organisation: "Vigil Test",
                                      notBefore: caNotBefore, notAfter: caNotAfter)
        impostor = try CertificateAuthority(commonName: Self.caName, organisation: "Vigil Test",
                                            notBefore: caNotBefore, notAfter: caNotAfter)
        nodeKey = try fixedSigningKey(0x31)
        node = try ca.issue(for: nodeKey.publicKey, commonName: "node-a", organisation: "Org A",
                            notBefore: notBefore, notAfter: notAfter)
    }
}

/// Certificates issued by the in-memory `CertificateAuthority`, verified with `Certificate.verify`.
@Suite("Certificates from the in-memory CA")
struct CertificateAuthorityTests {
    @Test("a node certificate verifies against its CA inside its validity")
    func verifiesAgainstIssuer() throws {
        let federation = try Federation()
        try federation.node.verify(issuedBy: federation.ca.certificate, at: federation.midYear)
        try federation.node.verifyNodeCertificate(issuedBy: federation.ca.certificate,
                                                  for: federation.nodeKey.publicKey, at: federation.midYear)
    }

    @Test("validity runs from notBefore (included) to notAfter (excluded)")
    func validityBoundaries() throws {
        let federation = try Federation()
        let ca = federation.ca.certificate
        try federation.node.verify(issuedBy: ca, at: federation.notBefore)
        try federation.node.verify(issuedBy: ca, at: federation.notAfter - 1)
        expectCryptoError(.certificateNotYetValid) { try federation.node.verify(issuedBy: ca, at: federation.notBefore - 1) }
        expectCryptoError(.certificateExpired) { try federation.node.verify(issuedBy: ca, at: federation.notAfter + 1) }
    }

    @Test("a certificate of another CA with the same name is untrusted, naming the federation CA")
    func otherCAWithSameNameIsUntrusted() throws {
        let federation = try Federation()
        expectCryptoError(.untrustedCertificate, messageContains: ["federation CA", "\"\(Federation.caName)\"", "node-a"]) {
            try federation.node.verify(issuedBy: federation.impostor.certificate, at: federation.midYear)
        }
        // verifyNodeCertificate checks the chain first.
        expectCryptoError(.untrustedCertificate) {
            try federation.node.verifyNodeCertificate(issuedBy: federation.impostor.certificate,
                                                      for: federation.nodeKey.publicKey, at: federation.midYear)
        }
    }

    @Test("a certificate of a differently named CA is untrusted, naming both CAs")
    func otherCAIsUntrusted() throws {
        let federation = try Federation()
        let other = try CertificateAuthority(commonName: "Some Other CA", organisation: "Elsewhere",
                                             notBefore: federation.caNotBefore, notAfter: federation.caNotAfter)
        expectCryptoError(.untrustedCertificate, messageContains: ["federation CA \"Some Other CA\"", Federation.caName]) {
            try federation.node.verify(issuedBy: other.certificate, at: federation.midYear)
        }
    }

    @Test("a node certificate is not a CA: what it would sign is untrusted")
    func nodeCertificateCannotIssue() throws {
        let federation = try Federation()
        let other = try fixedSigningKey(0x32)
        let cert = try federation.ca.issue(for: other.publicKey, commonName: "node-b", organisation: "Org B",
                                           notBefore: federation.notBefore, notAfter: federation.notAfter)
        // node-b's certificate checked against node-a's certificate as if it were the CA.
        expectCryptoError(.untrustedCertificate) { try cert.verify(issuedBy: federation.node, at: federation.midYear) }
    }

    @Test("after notAfter it is expired, and the message gives the expiry date")
    func expired() throws {
        let federation = try Federation()
        let checkedAt = try utc("2027-03-15T08:00:00Z")
        expectCryptoError(.certificateExpired, messageContains: ["2027-01-01T00:00:00Z", "2027-03-15T08:00:00Z", "node-a"]) {
            try federation.node.verify(issuedBy: federation.ca.certificate, at: checkedAt)
        }
        expectCryptoError(.certificateExpired) {
            try federation.node.verifyNodeCertificate(issuedBy: federation.ca.certificate,
                                                      for: federation.nodeKey.publicKey, at: checkedAt)
        }
    }

    @Test("before notBefore it is not yet valid, and the message gives the start date")
    func notYetValid() throws {
        let federation = try Federation()
        let checkedAt = try utc("2025-12-31T23:00:00Z")
        expectCryptoError(.certificateNotYetValid, messageContains: ["2026-01-01T00:00:00Z", "2025-12-31T23:00:00Z"]) {
            try federation.node.verify(issuedBy: federation.ca.certificate, at: checkedAt)
        }
    }

    @Test("a certificate for another node key is a key mismatch")
    func keyMismatch() throws {
        let federation = try Federation()
        let otherKey = try fixedSigningKey(0x33)
        let error = expectCryptoError(.certificateKeyMismatch, messageContains: ["node-a"]) {
            try federation.node.verifyNodeCertificate(issuedBy: federation.ca.certificate,
                                                      for: otherKey.publicKey, at: federation.midYear)
        }
        // The message shows the start of both keys.
        #expect(error?.message.contains(String(federation.nodeKey.publicKey.description.prefix(16))) == true)
        #expect(error?.message.contains(String(otherKey.publicKey.description.prefix(16))) == true)
    }

    @Test("subject, issuer, validity and key read back what was issued")
    func fieldsReadBack() throws {
        let federation = try Federation()
        let node = federation.node
        #expect(node.commonName == "node-a")
        #expect(node.organisation == "Org A")
        #expect(node.issuerCommonName == Federation.caName)
        #expect(node.notBefore == federation.notBefore)
        #expect(node.notAfter == federation.notAfter)
        #expect(try node.publicKey() == federation.nodeKey.publicKey)

        let ca = federation.ca.certificate
        #expect(ca.commonName == Federation.caName)
        #expect(ca.organisation == "Vigil Test")
        #expect(ca.issuerCommonName == Federation.caName)
        #expect(ca.notBefore == federation.caNotBefore)
        #expect(ca.notAfter == federation.caNotAfter)
        #expect(try ca.publicKey() == federation.ca.key.publicKey)
    }

    @Test("non-ASCII names and far-future dates read back")
    func unicodeNamesAndGeneralizedTime() throws {
        let notBefore = try utc("2049-06-01T00:00:00Z")
        let notAfter = try utc("2051-06-01T10:20:30Z")   // after 2049: GeneralizedTime
        let ca = try CertificateAuthority(commonName: "Fédération CA", organisation: "Ærø",
                                          notBefore: notBefore, notAfter: notAfter)
        let key = try fixedSigningKey(0x34)
        let cert = try ca.issue(for: key.publicKey, commonName: "nœud-ä", organisation: "Zürich",
                                notBefore: notBefore, notAfter: notAfter)
        #expect(cert.commonName == "nœud-ä")
        #expect(cert.organisation == "Zürich")
        #expect(cert.issuerCommonName == "Fédération CA")
        #expect(ca.certificate.organisation == "Ærø")
        #expect(cert.notBefore == notBefore)
        #expect(cert.notAfter == notAfter)
        try cert.verifyNodeCertificate(issuedBy: ca.certificate, for: key.publicKey, at: try utc("2050-01-01T00:00:00Z"))
    }

    @Test("an empty organisation leaves O out of the subject")
    func emptyOrganisation() throws {
        let federation = try Federation()
        let cert = try federation.ca.issue(for: federation.nodeKey.publicKey, commonName: "node-c", organisation: "",
                                           notBefore: federation.notBefore, notAfter: federation.notAfter)
        #expect(cert.commonName == "node-c")
        #expect(cert.organisation == nil)
    }

    @Test("pemRepresentation round-trips")
    func pemRoundTrip() throws {
        let federation = try Federation()
        let pem = federation.node.pemRepresentation
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(pem.hasSuffix("-----END CERTIFICATE-----\n"))
        let reloaded = try Certificate(pem: Array(pem.utf8))
        #expect(reloaded.sha256Fingerprint == federation.node.sha256Fingerprint)
        #expect(reloaded.pemRepresentation == pem)
        try reloaded.verifyNodeCertificate(issuedBy: federation.ca.certificate,
                                           for: federation.nodeKey.publicKey, at: federation.midYear)
    }

    @Test("two certificates for the same key and name differ (random serial numbers)")
    func serialsDiffer() throws {
        let federation = try Federation()
        let again = try federation.ca.issue(for: federation.nodeKey.publicKey, commonName: "node-a", organisation: "Org A",
                                            notBefore: federation.notBefore, notAfter: federation.notAfter)
        #expect(again.sha256Fingerprint != federation.node.sha256Fingerprint)
    }

    @Test("sha256Fingerprint is the SHA-256 of the DER, as openssl computes it")
    func fingerprintMatchesOpenSSL() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try Federation()
        let path = directory.path("node.crt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(federation.node.pemRepresentation.utf8)))

        let der = try OpenSSLCLI.certificateDER(ofFile: path, in: directory)
        #expect(federation.node.sha256Fingerprint == SHA256.hash(der))

        let output = try OpenSSLCLI.run(["x509", "-in", path, "-noout", "-fingerprint", "-sha256"], in: directory).stdoutText
        // "sha256 Fingerprint=61:30:…:7C"
        let printed = try #require(output.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(hex(federation.node.sha256Fingerprint) == printed.replacingOccurrences(of: ":", with: "").lowercased())
    }

    @Test("openssl verify accepts the in-memory chain and the expected extensions are present")
    func opensslVerifiesChain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let federation = try Federation()
        let caPath = directory.path("ca.crt")
        let nodePath = directory.path("node.crt")
        #expect(FileManager.default.createFile(atPath: caPath, contents: Data(federation.ca.certificate.pemRepresentation.utf8)))
        #expect(FileManager.default.createFile(atPath: nodePath, contents: Data(federation.node.pemRepresentation.utf8)))
        let attime = String(Int(federation.midYear.timeIntervalSince1970))

        let verify = try OpenSSLCLI.run(["verify", "-CAfile", caPath, "-attime", attime, nodePath], in: directory)
        #expect(verify.stdoutText.contains("\(nodePath): OK"))
        // The impostor CA has the same name; openssl does not accept it either.
        let impostorPath = directory.path("impostor.crt")
        #expect(FileManager.default.createFile(atPath: impostorPath,
                                               contents: Data(federation.impostor.certificate.pemRepresentation.utf8)))
        let refused = try OpenSSLCLI.runAllowingFailure(["verify", "-CAfile", impostorPath, "-attime", attime, nodePath],
                                                        in: directory)
        #expect(refused.status != 0)

        let text = try OpenSSLCLI.run(["x509", "-in", nodePath, "-noout", "-text"], in: directory).stdoutText
        #expect(text.contains("Version: 3"))
        #expect(text.contains("CA:FALSE"))
        #expect(text.contains("Digital Signature"))
        #expect(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
        let caText = try OpenSSLCLI.run(["x509", "-in", caPath, "-noout", "-text"], in: directory).stdoutText
        #expect(caText.contains("CA:TRUE"))
        #expect(caText.contains("Certificate Sign, CRL Sign"))
    }

    @Test("an expired CA fails verification, and the message gives the CA's expiry, not the node's")
    func expiredCA() throws {
        let federation = try Federation()
        let shortCA = try CertificateAuthority(commonName: "Short-lived CA", organisation: "Vigil Test",
                                               notBefore: federation.notBefore, notAfter: try utc("2026-03-01T00:00:00Z"))
        let cert = try shortCA.issue(for: federation.nodeKey.publicKey, commonName: "node-a", organisation: "Org A",
                                     notBefore: federation.notBefore, notAfter: federation.notAfter)
        try cert.verify(issuedBy: shortCA.certificate, at: try utc("2026-02-01T00:00:00Z"))
        // The node certificate itself is valid until 2027; it is the CA that expired.
        let error = expectCryptoError(.certificateExpired, messageContains: ["Short-lived CA", "2026-03-01T00:00:00Z"]) {
            try cert.verify(issuedBy: shortCA.certificate, at: federation.midYear)
        }
        #expect(error?.message.contains("2027-01-01") == false, "\(error?.message ?? "")")
    }

    @Test("a CA that is not yet valid fails verification, and the message gives the CA's start")
    func notYetValidCA() throws {
        let federation = try Federation()
        let lateCA = try CertificateAuthority(commonName: "Late CA", organisation: "Vigil Test",
                                              notBefore: try utc("2026-09-01T00:00:00Z"), notAfter: federation.caNotAfter)
        let cert = try lateCA.issue(for: federation.nodeKey.publicKey, commonName: "node-a", organisation: "Org A",
                                    notBefore: federation.notBefore, notAfter: federation.notAfter)
        let error = expectCryptoError(.certificateNotYetValid, messageContains: ["Late CA", "2026-09-01T00:00:00Z"]) {
            try cert.verify(issuedBy: lateCA.certificate, at: federation.midYear)
        }
        #expect(error?.message.contains("2026-01-01") == false, "\(error?.message ?? "")")
    }
}
