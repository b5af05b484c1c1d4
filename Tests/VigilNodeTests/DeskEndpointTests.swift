import Foundation
import Testing
import VigilCrypto
import VigilNode

/// The desk's address, certificate and key settings (pure), and reading the certificate and key files:
/// every refusal names what was wrong and what to give instead.
@Suite("Desk endpoint and HTTPS files")
struct DeskEndpointTests {
    static func refusal(_ address: String, certificate: String? = nil, key: String? = nil) -> String {
        do {
            let endpoint = try DeskEndpoint.resolve(address: address, certificate: certificate, key: key)
            return "accepted \(endpoint)"
        } catch {
            return error.message
        }
    }

    @Test("loopback is served over plain HTTP; with a certificate and key any address, over HTTPS")
    func accepted() throws {
        #expect(try DeskEndpoint.resolve(address: "127.0.0.1:7480", certificate: nil, key: nil) == DeskEndpoint(host: "127.0.0.1", port: 7480))
        #expect(try DeskEndpoint.resolve(address: "[::1]:0", certificate: nil, key: nil) == DeskEndpoint(host: "::1", port: 0))
        #expect(try DeskEndpoint.resolve(address: "127.0.0.2:80", certificate: nil, key: nil).tls == nil)
        let files = DeskTLSFiles(certificate: "/etc/vigil/desk.crt", key: "/etc/vigil/desk.key")
        #expect(try DeskEndpoint.resolve(address: "0.0.0.0:8443", certificate: files.certificate, key: files.key) == DeskEndpoint(host: "0.0.0.0", port: 8443, tls: files))
        #expect(try DeskEndpoint.resolve(address: "[2001:db8::7]:443", certificate: files.certificate, key: files.key).host == "2001:db8::7")
        #expect(try DeskEndpoint.resolve(address: "127.0.0.1:8443", certificate: files.certificate, key: files.key).tls == files)
        #expect(DeskEndpoint.isLoopback("127.0.0.1") && DeskEndpoint.isLoopback("::1") && !DeskEndpoint.isLoopback("10.0.0.1") && !DeskEndpoint.isLoopback("0.0.0.0"))
    }

    @Test("a network address without HTTPS is refused naming --desk-cert and --desk-key; so is one file without the other")
    func refused() {
        for address in ["0.0.0.0:7480", "192.0.2.10:443", "[::]:7480", "[2001:db8::7]:7480"] {
            let text = Self.refusal(address)
            #expect(text.contains("must be served over HTTPS") && text.contains("--desk-cert FILE --desk-key FILE") && text.contains("\"deskCert\" and \"deskKey\""), "\(text)")
        }
        let noKey = Self.refusal("0.0.0.0:443", certificate: "desk.crt")
        #expect(noKey.contains("needs a key") && noKey.contains("--desk-key FILE"), "\(noKey)")
        let noCertificate = Self.refusal("127.0.0.1:443", key: "desk.key")
        #expect(noCertificate.contains("needs a certificate") && noCertificate.contains("--desk-cert FILE"), "\(noCertificate)")
        #expect(Self.refusal("0.0.0.0:443", certificate: "", key: "k").contains("must not be empty"))
        for bad in ["7480", "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:http", ""] {
            #expect(Self.refusal(bad).contains("the desk address is HOST:PORT"), "\(bad)")
        }
        #expect(Self.refusal(":7480").contains("has no host"))
    }

    /// A directory with a CA-issued node certificate and key as `Scripts/certs` lays them out.
    struct Files {
        let dir: String
        let ca: CertificateAuthority
        let key: SigningKey
        var certificate: String { dir + "/node.crt" }
        var keyPath: String { dir + "/identity.key" }

        init(notBefore: Date = Date(timeIntervalSinceNow: -3600), notAfter: Date = Date(timeIntervalSinceNow: 86_400)) throws {
            dir = NSTemporaryDirectory() + "vigil-desk-tls-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            ca = try CertificateAuthority(commonName: "Test CA", organisation: "Test", notBefore: Date(timeIntervalSinceNow: -86_400), notAfter: Date(timeIntervalSinceNow: 864_000))
            key = try SigningKey.generate()
            let issued = try ca.issue(for: key.publicKey, commonName: "gov-antwerp", organisation: "Test", notBefore: notBefore, notAfter: notAfter)
            try Data((issued.pemRepresentation + ca.certificate.pemRepresentation).utf8).write(to: URL(fileURLWithPath: certificate))
            try KeyFile.write(key, to: keyPath)
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }

        func load(certificate: String? = nil, key: String? = nil, now: Date = Date()) -> String {
            do {
                _ = try DeskTLSFiles(certificate: certificate ?? self.certificate, key: key ?? keyPath).load(now: now)
                return "loaded"
            } catch {
                return error.message
            }
        }
    }

    @Test("the node's own certificate (with its CA in the file) and identity key load")
    func loads() throws {
        let files = try Files()
        defer { files.remove() }
        #expect(files.load() == "loaded")
    }

    @Test("refused at start, naming the file: missing, a directory, no certificate, no key, a key others can read, another key, expired, not yet valid")
    func badFiles() throws {
        let files = try Files()
        defer { files.remove() }
        let missing = files.load(certificate: files.dir + "/nope.crt")
        #expect(missing.contains("the desk certificate \(files.dir)/nope.crt does not exist") && missing.contains("--desk-cert"), "\(missing)")
        let directory = files.load(certificate: files.dir)
        #expect(directory.contains("cannot read the desk certificate") && directory.contains("it is a directory"), "\(directory)")
        let notPEM = files.dir + "/text.crt"
        try Data("hello".utf8).write(to: URL(fileURLWithPath: notPEM))
        #expect(files.load(certificate: notPEM).contains("\(notPEM): no PEM certificate in it"))
        let noKey = files.load(key: files.dir + "/nope.key")
        #expect(noKey.contains("the desk key: cannot open key file \(files.dir)/nope.key"), "\(noKey)")
        let keyAsCertificate = files.dir + "/copy.key"
        try FileManager.default.copyItem(atPath: files.certificate, toPath: keyAsCertificate)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyAsCertificate)
        #expect(files.load(key: keyAsCertificate).contains("not a PEM private key"))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: files.keyPath)
        let open = files.load()
        #expect(open.contains("mode 644") && open.contains("chmod 600 \(files.keyPath)"), "\(open)")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: files.keyPath)
        let otherKey = files.dir + "/other.key"
        try KeyFile.write(try SigningKey.generate(), to: otherKey)
        let mismatch = files.load(key: otherKey)
        #expect(mismatch.contains("is not the key of the certificate of \"gov-antwerp\"") && mismatch.contains(otherKey), "\(mismatch)")
        let expired = files.load(now: Date(timeIntervalSinceNow: 2 * 86_400))
        #expect(expired.contains("expired on") && expired.contains("renew it"), "\(expired)")
        let early = files.load(now: Date(timeIntervalSinceNow: -2 * 3600))
        #expect(early.contains("is not valid before") && early.contains("clock"), "\(early)")
    }
}
