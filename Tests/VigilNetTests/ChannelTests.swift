import Testing
import VigilCrypto
import VigilSync
@testable import VigilNet

/// The per-connection core without sockets: two channels wired back to back in memory.
@Suite("Channel in memory")
struct ChannelTests {
    /// Moves bytes both ways until neither side has anything to send; returns each side's events.
    func pump(_ client: Channel, _ server: Channel) -> (client: [Channel.Event], server: [Channel.Event]) {
        var clientEvents: [Channel.Event] = [], serverEvents: [Channel.Event] = []
        for _ in 0..<100 {
            let toServer = take(client), toClient = take(server)
            if toServer.isEmpty && toClient.isEmpty { break }
            if !toServer.isEmpty { serverEvents += toServer.withUnsafeBytes { server.receive($0) } }
            if !toClient.isEmpty { clientEvents += toClient.withUnsafeBytes { client.receive($0) } }
        }
        return (clientEvents, serverEvents)
    }

    func take(_ channel: Channel) -> [UInt8] {
        let bytes = channel.outbound.withReadableBytes { Array($0) }
        channel.outbound.consume(bytes.count)
        return bytes
    }

    func connectedPair(serverMaxFrame: Int = Frame.maxLength) throws -> (client: Channel, server: Channel, clientKey: PublicKey, serverKey: PublicKey) {
        let ca = try PKI.ca()
        let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
        let client = try Channel(context: PKI.context(a, trusting: ca), isClient: true, maxFrameLength: Frame.maxLength)
        let server = try Channel(context: PKI.context(b, trusting: ca), isClient: false, maxFrameLength: serverMaxFrame)
        #expect(client.start().isEmpty && server.start().isEmpty)
        let events = pump(client, server)
        guard case .handshakeCompleted(let serverKey, "b")? = events.client.first,
              case .handshakeCompleted(let clientKey, "a")? = events.server.first else {
            throw TestFailure("handshake: \(events)")
        }
        #expect(client.state == .awaitingAdmission && server.state == .awaitingAdmission)
        #expect(clientKey == a.key.publicKey && serverKey == b.key.publicKey)
        return (client, server, clientKey, serverKey)
    }

    @Test("handshake, admission, then queued frames cross in order; frames queued before admission wait")
    func framesAfterAdmission() throws {
        let (client, server, _, _) = try connectedPair()
        let frames = (0..<100).map { numberedFrame($0, size: $0 * 50) }
        for frame in frames { client.enqueue(frame.encoded) }
        #expect(try client.encryptPending(outboundLimit: .max).get() == 0)   // not admitted yet
        #expect(client.admit().isEmpty)
        #expect(server.admit().isEmpty)
        let released = try client.encryptPending(outboundLimit: .max).get()
        #expect(released == frames.map(\.encoded.count).reduce(0, +) && client.pendingBytes == 0)
        let events = pump(client, server)
        let received = events.server.flatMap { event -> [Frame] in if case .frames(let f) = event { f } else { [] } }
        #expect(received == frames)
    }

    @Test("encryption stops at the outbound limit and resumes")
    func outboundLimit() throws {
        let (client, server, _, _) = try connectedPair()
        _ = client.admit(); _ = server.admit()
        for index in 0..<10 { client.enqueue(numberedFrame(index, size: 10_000).encoded) }
        let first = try client.encryptPending(outboundLimit: 25_000).get()
        #expect(first > 0 && first < 100_050 && client.pendingBytes == 100_050 - first)
        _ = take(client)
        let rest = try client.encryptPending(outboundLimit: .max).get()
        #expect(first + rest == 100_050)   // ten frames of 5 + 10,000 bytes
    }

    @Test("an oversized frame fails the session with the reason and sends close_notify")
    func oversized() throws {
        let (client, server, _, _) = try connectedPair(serverMaxFrame: 1_000)
        _ = client.admit(); _ = server.admit()
        client.enqueue(numberedFrame(1, size: 2_000).encoded)
        _ = try client.encryptPending(outboundLimit: .max).get()
        let events = pump(client, server)
        guard case .failed(let reason)? = events.server.last else { throw TestFailure("\(events.server)") }
        #expect(reason.message.contains("over the limit of 1000"), "\(reason)")
        #expect(reason.code == .frameTooLarge)
        #expect(server.state == .closed)
        guard case .peerClosed? = events.client.last else { throw TestFailure("\(events.client)") }
    }
}
