import Foundation
import Testing
@testable import VigilCrypto

/// The desk's HTTPS settings over memory: a server without client certificates, TLS 1.2 or 1.3, with the
/// node's own Ed25519 certificate or an ECDSA one made by openssl; and every refusal of a bad certificate
/// or key, with what to do.
@Suite("HTTPS context over memory")
struct HTTPSContextTests {
    static let now = TLSEngineTests.now

    static func serverKey(_ key: SigningKey) throws -> ServerKey { try ServerKey(pem: try key.pemRepresentation()) }

    @Test("the node's own certificate and key: TLS 1.3 and TLS 1.2 clients without a certificate complete the handshake, and data flows")
    func nodeCertificate() throws {
        let ca = try TLSEngineTests.ca()
        let node = try TLSEngineTests.node(ca, "gov-antwerp")
        let server = try TLSContext(httpsServer: [node.certificate], key: try Self.serverKey(node.key), at: Self.now)
        for (version, name) in [(TLSVersion.tls13, "TLSv1.3"), (.tls12, "TLSv1.2")] {
            let client = try TLSContext(httpsClientTrusting: ca.certificate, version: version, at: Self.now)
            let pair = TLSPair(client: try TLSConnection(context: client, isClient: true), server: try TLSConnection(context: server, isClient: false))
            let (clientError, serverError) = pair.interact()
            #expect(clientError == nil && serverError == nil, "\(name): \(String(describing: clientError)) \(String(describing: serverError))")
            #expect(pair.server.isHandshakeComplete && pair.client.isHandshakeComplete)
            #expect(pair.server.protocolVersion == name && pair.client.protocolVersion == name)
            try pair.client.send(Array("GET /login HTTP/1.1\r\n\r\n".utf8))
            pair.server.receive(pair.client.takeOutgoing())
            #expect(try pair.server.readAvailable() == Array("GET /login HTTP/1.1\r\n\r\n".utf8))
            // No client certificate was asked for or sent.
            #expect(pair.server.peerCommonName == nil)
        }
    }

    @Test("a client that trusts another CA refuses the desk's certificate")
    func untrustedServer() throws {
        let ca = try TLSEngineTests.ca(), other = try TLSEngineTests.ca("Other CA")
        let node = try TLSEngineTests.node(ca, "ncc")
        let server = try TLSContext(httpsServer: [node.certificate], key: try Self.serverKey(node.key), at: Self.now)
        let client = try TLSContext(httpsClientTrusting: other.certificate, at: Self.now)
        let pair = TLSPair(client: try TLSConnection(context: client, isClient: true), server: try TLSConnection(context: server, isClient: false))
        let (clientError, _) = pair.interact()
        let error = try #require(clientError as? TLSError)
        #expect(error.cause == .peerCertificateRefused)
    }

    @Test("an ECDSA P-256 certificate and key made by openssl (what browsers accept), with its CA in the chain file")
    func ecdsaFromOpenSSL() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try OpenSSLCLI.run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "desk.key",
                            "-out", "desk.crt", "-days", "2", "-subj", "/CN=desk.example", "-addext", "subjectAltName=DNS:desk.example"], in: dir)
        let pem = try fileContents(dir.path("desk.crt"))
        let chain = try Certificate.chain(pem: pem + pem)
        #expect(chain.count == 2 && chain[0].commonName == "desk.example")
        let key = try ServerKey(pem: SecureBytes(try fileContents(dir.path("desk.key"))))
        #expect(key.algorithm == "EC")
        let server = try TLSContext(httpsServer: [chain[0]], key: key, at: Date())
        let client = try TLSContext(httpsClientTrusting: chain[0])
        let pair = TLSPair(client: try TLSConnection(context: client, isClient: true), server: try TLSConnection(context: server, isClient: false))
        let (clientError, serverError) = pair.interact()
        #expect(clientError == nil && serverError == nil)
        #expect(pair.server.protocolVersion == "TLSv1.3")
    }

    @Test("refused, each with what to do: a key that is not the certificate's, an expired or not yet valid certificate")
    func refusals() throws {
        let ca = try TLSEngineTests.ca()
        let node = try TLSEngineTests.node(ca, "gov-antwerp")
        let stranger = try Self.serverKey(try SigningKey.generate())
        func message(_ body: () throws -> TLSContext) -> String {
            do {
                _ = try body()
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let mismatch = message { try TLSContext(httpsServer: [node.certificate], key: stranger, at: Self.now) }
        #expect(mismatch.contains("the key (ED25519) is not the key of the certificate of \"gov-antwerp\""), "\(mismatch)")
        let expired = message { try TLSContext(httpsServer: [node.certificate], key: try Self.serverKey(node.key), at: TLSEngineTests.end + 1) }
        #expect(expired.contains("expired on 2027-01-01T00:00:00Z") && expired.contains("renew it"), "\(expired)")
        let early = message { try TLSContext(httpsServer: [node.certificate], key: try Self.serverKey(node.key), at: TLSEngineTests.start - 1) }
        #expect(early.contains("not valid before 2026-01-01T00:00:00Z") && early.contains("clock"), "\(early)")
        #expect(message { try TLSContext(httpsServer: [], key: stranger, at: Self.now) }.contains("holds no certificate"))
    }

    @Test("malformed certificate and key files: no certificate, not a key, a key under a passphrase")
    func malformed() throws {
        #expect(throws: CryptoError.self) { try Certificate.chain(pem: Array("hello".utf8)) }
        #expect(throws: CryptoError.self) { try Certificate.chain(pem: []) }
        do {
            _ = try Certificate.chain(pem: Array("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".utf8))
            Issue.record("a damaged certificate was read")
        } catch let error as CryptoError {
            #expect(error.message.contains("no PEM certificate"))
        }
        for text in ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
            do {
                _ = try ServerKey(pem: SecureBytes(Array(text.utf8)))
                Issue.record("\(text.debugDescription) was read as a key")
            } catch let error as CryptoError {
                #expect(error.code == .invalidPEM && error.message.contains("not a PEM private key"))
            }
        }
        do {
            _ = try ServerKey(pem: SecureBytes(Array("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n".utf8)))
            Issue.record("an encrypted key was read")
        } catch let error as CryptoError {
            #expect(error.message.contains("passphrase") && error.message.contains("openssl pkey"))
        }
    }
}
