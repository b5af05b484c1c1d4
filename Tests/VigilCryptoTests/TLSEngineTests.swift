import Foundation
import Testing
@testable import VigilCrypto

/// Two TLS engines wired back to back in memory: bytes move between them until both are quiet.
struct TLSPair {
    let client: TLSConnection
    let server: TLSConnection

    /// Moves bytes both ways, advancing handshakes, until nothing moves. Errors from either side are
    /// returned rather than thrown, so a test can check which side failed and why.
    @discardableResult
    func interact(maxRounds: Int = 50) -> (client: Error?, server: Error?) {
        var clientError: Error?, serverError: Error?
        for _ in 0..<maxRounds {
            var moved = false
            if clientError == nil {
                do { try client.advanceHandshake() } catch { clientError = error }
            }
            let toServer = client.takeOutgoing()
            if !toServer.isEmpty { server.receive(toServer); moved = true }
            if serverError == nil {
                do { try server.advanceHandshake() } catch { serverError = error }
            }
            let toClient = server.takeOutgoing()
            if !toClient.isEmpty { client.receive(toClient); moved = true }
            if !moved { break }
        }
        return (clientError, serverError)
    }
}

@Suite("TLS engine over memory")
struct TLSEngineTests {
    static let start = Date(timeIntervalSince1970: 1_767_225_600)   // 2026-01-01
    static let end = Date(timeIntervalSince1970: 1_798_761_600)     // 2027-01-01
    static let now = Date(timeIntervalSince1970: 1_780_000_000)     // 2026-05-28

    struct Node {
        let key: SigningKey
        let certificate: Certificate
        func context(_ ca: CertificateAuthority, at time: Date = TLSEngineTests.now) throws -> TLSContext {
            try TLSContext(certificate: certificate, key: key, trusting: ca.certificate, verificationTime: time)
        }
    }

    static func node(_ ca: CertificateAuthority, _ name: String, from: Date = start, to: Date = end) throws -> Node {
        let key = try SigningKey.generate()
        return Node(key: key, certificate: try ca.issue(for: key.publicKey, commonName: name, organisation: "Test", notBefore: from, notAfter: to))
    }

    static func ca(_ name: String = "Test Federation CA") throws -> CertificateAuthority {
        try CertificateAuthority(commonName: name, organisation: "Test Federation",
                                 notBefore: Date(timeIntervalSince1970: 1_735_689_600), notAfter: Date(timeIntervalSince1970: 1_893_456_000))
    }

    @Test("mutual TLS 1.3: both sides learn the other's Ed25519 identity, data flows both ways")
    func handshakeAndData() throws {
        let ca = try Self.ca()
        let a = try Self.node(ca, "node-a"), b = try Self.node(ca, "node-b")
        let pair = TLSPair(client: try TLSConnection(context: a.context(ca), isClient: true),
                           server: try TLSConnection(context: b.context(ca), isClient: false))
        let errors = pair.interact()
        #expect(errors.client == nil && errors.server == nil, "\(String(describing: errors))")
        #expect(pair.client.isHandshakeComplete && pair.server.isHandshakeComplete)
        #expect(try pair.client.peerPublicKey() == b.key.publicKey)
        #expect(try pair.server.peerPublicKey() == a.key.publicKey)
        #expect(pair.server.peerCommonName == "node-a")

        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        try pair.client.send(Array("HELLO".utf8))
        try pair.server.send(big)
        var atServer: [UInt8] = [], atClient: [UInt8] = []
        for _ in 0..<20 {
            pair.server.receive(pair.client.takeOutgoing())
            atServer += try pair.server.readAvailable()
            pair.client.receive(pair.server.takeOutgoing())
            atClient += try pair.client.readAvailable()
        }
        #expect(atServer == Array("HELLO".utf8))
        #expect(atClient == big)

        pair.client.close()
        pair.server.receive(pair.client.takeOutgoing())
        _ = try pair.server.readAvailable()
        #expect(pair.server.peerClosed)
    }

    @Test("bytes fed one at a time still complete the handshake")
    func byteByByte() throws {
        let ca = try Self.ca()
        let a = try Self.node(ca, "a"), b = try Self.node(ca, "b")
        let client = try TLSConnection(context: a.context(ca), isClient: true)
        let server = try TLSConnection(context: b.context(ca), isClient: false)
        for _ in 0..<20 {
            try client.advanceHandshake()
            for byte in client.takeOutgoing() { server.receive([byte]); try server.advanceHandshake() }
            for byte in server.takeOutgoing() { client.receive([byte]); try client.advanceHandshake() }
            if client.isHandshakeComplete && server.isHandshakeComplete { break }
        }
        #expect(client.isHandshakeComplete && server.isHandshakeComplete)
    }

    @Test("a client without a certificate is refused by the server, with the reason")
    func noClientCertificate() throws {
        let ca = try Self.ca()
        let b = try Self.node(ca, "b")
        let anonymous = try TLSContext(certificate: nil, key: nil, trusting: ca.certificate, verificationTime: Self.now)
        let pair = TLSPair(client: try TLSConnection(context: anonymous, isClient: true),
                           server: try TLSConnection(context: b.context(ca), isClient: false))
        let errors = pair.interact()
        let server = try #require(errors.server as? TLSError)
        #expect(server.code == .handshakeFailed)
        #expect(server.message.contains("no certificate"), "\(server.message)")
        #expect(!pair.server.isHandshakeComplete)
        // TLS 1.3: the client learns of the refusal only when it reads.
        #expect(throws: TLSError.self) { _ = try pair.client.readAvailable() }
    }

    @Test("a certificate from another CA is refused, on either side")
    func otherCA() throws {
        let ca = try Self.ca(), rogue = try Self.ca("Test Federation CA")   // same name, other key
        let honest = try Self.node(ca, "honest"), intruder = try Self.node(rogue, "intruder")
        // Intruder dials in. It knows the real CA certificate (it is public) but its own comes from the rogue CA.
        let intruderTrustingReal = try TLSContext(certificate: intruder.certificate, key: intruder.key, trusting: ca.certificate, verificationTime: Self.now)
        var pair = TLSPair(client: try TLSConnection(context: intruderTrustingReal, isClient: true),
                           server: try TLSConnection(context: honest.context(ca), isClient: false))
        var errors = pair.interact()
        let atServer = try #require(errors.server as? TLSError)
        #expect(atServer.message.contains("not issued by this federation's CA"), "\(atServer.message)")
        // Honest node dials the intruder.
        pair = TLSPair(client: try TLSConnection(context: honest.context(ca), isClient: true),
                       server: try TLSConnection(context: intruder.context(rogue), isClient: false))
        errors = pair.interact()
        let atClient = try #require(errors.client as? TLSError)
        #expect(atClient.message.contains("not issued by this federation's CA"), "\(atClient.message)")
        // And the intruder's server learns that it was refused.
        let atIntruder = try #require(errors.server as? TLSError)
        #expect(atIntruder.message.contains("the peer refused this node's certificate"), "\(atIntruder.message)")
    }

    @Test("an expired certificate is refused with the reason")
    func expired() throws {
        let ca = try Self.ca()
        let old = try Self.node(ca, "old", from: Self.start, to: Self.start.addingTimeInterval(86_400))
        let b = try Self.node(ca, "b")
        let pair = TLSPair(client: try TLSConnection(context: old.context(ca), isClient: true),
                           server: try TLSConnection(context: b.context(ca), isClient: false))
        let errors = pair.interact()
        let server = try #require(errors.server as? TLSError)
        #expect(server.message.contains("expired"), "\(server.message)")
    }

    @Test("plain-text garbage is refused as a handshake failure")
    func garbage() throws {
        let ca = try Self.ca()
        let b = try Self.node(ca, "b")
        let server = try TLSConnection(context: b.context(ca), isClient: false)
        server.receive(Array("GET / HTTP/1.1\r\nHost: vigil\r\n\r\n".utf8))
        let error = try #require(throws: TLSError.self) { try server.advanceHandshake() }
        #expect(error.code == .handshakeFailed)
        #expect(error.message.contains("does not speak TLS"), "\(error.message)")
        let binary = try TLSConnection(context: b.context(ca), isClient: false)
        binary.receive([0x16, 0x03, 0x01, 0xff, 0xff] + [UInt8](repeating: 0x41, count: 64))
        #expect(throws: TLSError.self) {
            for _ in 0..<3 { try binary.advanceHandshake() }
            binary.receive([UInt8](repeating: 0x41, count: 70_000))
            try binary.advanceHandshake()
        }
    }

    @Test("a certificate that does not match the key is refused when the context is made")
    func mismatchedKey() throws {
        let ca = try Self.ca()
        let a = try Self.node(ca, "a")
        let other = try SigningKey.generate()
        let error = try #require(throws: TLSError.self) {
            try TLSContext(certificate: a.certificate, key: other, trusting: ca.certificate)
        }
        #expect(error.code == .configuration)
        #expect(error.message.contains("not issued for this node's identity key"))
    }
}
