import Foundation
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

extension NetworkTests {
    @Suite("Refused peers")
    struct Refusals {
        /// A way for a peer to be refused.
        enum Case: String, CaseIterable, Sendable, CustomTestStringConvertible {
            case clientWithoutCertificate, certificateFromAnotherCA, expiredCertificate, refusedByAdmission
            case plainTextGarbage, oversizedFrame, malformedFrame, silentPeer, expectedPeerMismatch
            var testDescription: String { rawValue }
        }

        @Test("the peer is refused with the reason, and the listener then serves a good client", arguments: Case.allCases)
        func refused(_ refusal: Case) throws {
            let ca = try PKI.ca()
            let serverNode = try PKI.node(ca, "server"), good = try PKI.node(ca, "good"), banned = try PKI.node(ca, "banned")
            let bannedKey = banned.key.publicKey
            let server = Recorder(admission: { key in
                key == bannedKey ? .refuse(reason: CloseReason(.notMember, "not a member of the federation roster")) : .allow
            })
            let serverLoop = try makeLoop(serverNode, trusting: ca, recorder: server) {
                // Short only where the timeout is what is tested: the good client must not race it.
                $0.handshakeTimeout = refusal == .silentPeer ? .milliseconds(300) : .seconds(10)
                $0.maxFrameLength = 64 * 1024
            }
            defer { serverLoop.shutdown() }
            let listener = try serverLoop.listen(host: "127.0.0.1", port: 0)
            defer { serverLoop.stopListening(listener) }
            let port = listener.port
            let client = Recorder()

            switch refusal {
            case .clientWithoutCertificate:
                let loop = try makeLoop(nil, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let id = loop.dial(host: "127.0.0.1", port: port)
                let refused = try server.waitRefused("the server's refusal")
                #expect(refused.reason.message.contains("no certificate"), "\(refused.reason)")
                #expect(refused.reason.code == .certificateRefused)
                #expect(refused.remote.hasPrefix("127.0.0.1:"))
                // TLS 1.3: the client learns of it on its first read after its own handshake.
                let reason = try client.waitClosed(id, "the client's close")
                #expect(reason.message.contains("refused this node's certificate"), "\(reason)")
                #expect(reason.code == .refusedByPeer)

            case .certificateFromAnotherCA:
                let rogue = try PKI.ca("Test Federation CA")   // same name, another key
                let intruder = try PKI.node(rogue, "intruder")
                let loop = try makeLoop(intruder, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let id = loop.dial(host: "127.0.0.1", port: port)
                let refused = try server.waitRefused("the server's refusal")
                #expect(refused.reason.message.contains("not issued by this federation's CA"), "\(refused.reason)")
                #expect(refused.reason.code == .certificateRefused)
                let closed = try client.waitClosed(id, "the intruder's close")
                #expect(closed.message.contains("refused this node's certificate"), "\(closed)")
                #expect(closed.code == .refusedByPeer)

            case .expiredCertificate:
                let old = try PKI.node(ca, "old", from: PKI.start, to: PKI.start.addingTimeInterval(86_400))
                let loop = try makeLoop(old, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let id = loop.dial(host: "127.0.0.1", port: port)
                let refused = try server.waitRefused("the server's refusal")
                #expect(refused.reason.message.contains("expired"), "\(refused.reason)")
                #expect(refused.reason.code == .certificateRefused)
                let closed = try client.waitClosed(id, "the client's close")
                #expect(closed.message.contains("certificate expired"), "\(closed)")
                #expect(closed.code == .refusedByPeer)

            case .refusedByAdmission:
                let loop = try makeLoop(banned, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let id = loop.dial(host: "127.0.0.1", port: port)
                let refused = try server.waitRefused("the server's refusal")
                #expect(refused.reason.message.contains("\(NodeID(bannedKey).fingerprint)") && refused.reason.message.contains("\"banned\"")
                        && refused.reason.message.contains("not a member of the federation roster"), "\(refused.reason)")
                #expect(refused.reason.code == .notMember, "the admission's code is kept")
                _ = try client.waitClosed(id, "the banned node's close")
                #expect(!server.events.contains { if case .established = $0 { true } else { false } })

            case .plainTextGarbage:
                let raw = try RawSocket(port: port)
                try raw.write(Array("GET / HTTP/1.1\r\nHost: vigil\r\n\r\n".utf8))
                let refused = try server.waitRefused("the server's refusal")
                #expect(refused.reason.message.contains("does not speak TLS"), "\(refused.reason)")
                #expect(refused.reason.code == .notTLS)
                _ = try raw.readToEnd()   // the server closed the socket

            case .oversizedFrame:
                let loop = try makeLoop(good, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let id = loop.dial(host: "127.0.0.1", port: port)
                let atServer = try server.waitEstablished("the server's session")
                #expect(loop.send(Frame(type: .entries, payload: [UInt8](repeating: 0xab, count: 100_000)), on: id) == .queued)
                let reason = try server.waitClosed(atServer.id, "the server's close")
                #expect(reason.message.contains("malformed frame") && reason.message.contains("over the limit of 65536"), "\(reason)")
                #expect(reason.code == .frameTooLarge)
                let closed = try client.waitClosed(id, "the client's close")
                #expect(closed.message.contains("close_notify"), "\(closed)")
                #expect(closed.code == .peerClosed)

            case .malformedFrame:
                let raw = try RawTLSClient(port: port, context: PKI.context(good, trusting: ca))
                try raw.handshake()
                let atServer = try server.waitEstablished("the server's session")
                try raw.send([0, 0, 0, 3, 0xee, 1, 2], recordSize: 100)
                let reason = try server.waitClosed(atServer.id, "the server's close")
                #expect(reason.message.contains("unknown frame type 0xee"), "\(reason)")
                #expect(reason.code == .malformed)

            case .silentPeer:
                let raw = try RawSocket(port: port)
                let refused = try server.waitRefused("the handshake timeout")
                #expect(refused.reason.message.contains("did not complete within 300 ms"), "\(refused.reason)")
                #expect(refused.reason.code == .handshakeTimeout)
                #expect(try raw.readToEnd().isEmpty)

            case .expectedPeerMismatch:
                let loop = try makeLoop(good, trusting: ca, recorder: client)
                defer { loop.shutdown() }
                let expected = try PKI.node(ca, "someone-else").key.publicKey
                let id = loop.dial(host: "127.0.0.1", port: port, expectedPeer: expected)
                let reason = try client.waitClosed(id, "the client's close")
                #expect(reason.message.contains(NodeID(expected).fingerprint) && reason.message.contains("was expected")
                        && reason.message.contains(NodeID(serverNode.key.publicKey).fingerprint), "\(reason)")
                #expect(reason.code == .wrongPeer)
                #expect(!client.events.contains { if case .established = $0 { true } else { false } })
            }

            try expectGoodClient(good, ca: ca, port: port, server: server, serverKey: serverNode.key.publicKey)
        }

        /// A well-behaved client connects to `port`, is admitted, and its frame arrives.
        func expectGoodClient(_ good: PKI.Node, ca: CertificateAuthority, port: UInt16, server: Recorder, serverKey: PublicKey) throws {
            let recorder = Recorder()
            let loop = try makeLoop(good, trusting: ca, recorder: recorder)
            defer { loop.shutdown() }
            let id = loop.dial(host: "127.0.0.1", port: port, expectedPeer: serverKey)
            #expect(try recorder.waitEstablished("the good client's session").id == id)
            #expect(loop.send(numberedFrame(7), on: id) == .queued)
            let frame = try server.wait("the good client's frame") { events -> Frame? in
                for case .established(let at, let key, _, _) in events where key == good.key.publicKey {
                    if let frame = Recorder.frames(on: at, in: events).first(where: { $0 == numberedFrame(7) }) { return frame }
                }
                return nil
            }
            #expect(frame == numberedFrame(7))
        }
    }
}
