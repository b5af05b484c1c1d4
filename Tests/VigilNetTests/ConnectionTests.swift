import Foundation
import Glibc
import Testing
import VigilCrypto
import VigilModel
import VigilSync
@testable import VigilNet

extension NetworkTests {
    @Suite("Connections and frames")
    struct Connections {
        @Test("two loops connect over mutual TLS; each side learns the other's key; frames flow both ways, 1,000 small and one of 200 KiB")
        func connectAndExchange() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "node-a"), b = try PKI.node(ca, "node-b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            defer { serverLoop.shutdown() }
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client)
            defer { clientLoop.shutdown() }
            let listener = try serverLoop.listen(host: "127.0.0.1", port: 0)
            #expect(listener.port != 0)
            #expect(listener.address == "127.0.0.1:\(listener.port)")

            let dialled = clientLoop.dial(host: "127.0.0.1", port: listener.port, expectedPeer: a.key.publicKey)
            let atClient = try client.waitEstablished("the client's session")
            let atServer = try server.waitEstablished("the server's session")
            #expect(atClient.id == dialled)
            #expect(atClient.key == a.key.publicKey && atClient.name == "node-a" && !atClient.inbound)
            #expect(atServer.key == b.key.publicKey && atServer.name == "node-b" && atServer.inbound)

            let big = Frame(type: .entries, payload: (0..<200 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) })
            let small = (0..<1_000).map { numberedFrame($0, size: 4 + $0 % 300) }
            for frame in small { #expect(clientLoop.send(frame, on: dialled) == .queued) }
            #expect(clientLoop.send(big, on: dialled) == .queued)
            for frame in small.reversed() { #expect(serverLoop.send(frame, on: atServer.id) == .queued) }
            #expect(serverLoop.send(big, on: atServer.id) == .queued)

            let received = try server.waitFrames(on: atServer.id, count: 1_001, "1,001 frames at the server")
            #expect(received == small + [big])
            let answered = try client.waitFrames(on: dialled, count: 1_001, "1,001 frames at the client")
            #expect(answered == small.reversed() + [big])
            serverLoop.stopListening(listener)
        }

        @Test("IPv6 loopback: listen on ::1 and dial it")
        func ipv6() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            defer { serverLoop.shutdown() }
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client)
            defer { clientLoop.shutdown() }
            let listener = try serverLoop.listen(host: "::1", port: 0)
            #expect(listener.address == "[::1]:\(listener.port)")
            let id = clientLoop.dial(host: "::1", port: listener.port, expectedPeer: a.key.publicKey)
            let atServer = try server.waitEstablished("the server's session over IPv6")
            #expect(try client.waitEstablished("the client's session over IPv6").id == id)
            #expect(clientLoop.send(numberedFrame(1), on: id) == .queued)
            #expect(try server.waitFrames(on: atServer.id, count: 1, "a frame over IPv6") == [numberedFrame(1)])
        }

        @Test("frames split across TLS records and TCP segments are reassembled; several frames in one record are split")
        func splitFrames() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            defer { serverLoop.shutdown() }
            let port = try serverLoop.listen(host: "127.0.0.1", port: 0).port

            let raw = try RawTLSClient(port: port, context: PKI.context(b, trusting: ca))
            try raw.handshake()
            let atServer = try server.waitEstablished("the raw client's session")
            let frames = (0..<40).map { numberedFrame($0, size: 1 + $0 * 13) }
            let stream = frames.flatMap(\.encoded)
            try raw.send(Array(stream.prefix(500)), recordSize: 7)      // frames cut into 7-byte records, each in two segments
            try raw.send(Array(stream.dropFirst(500)), recordSize: 4096) // many frames per record
            #expect(try server.waitFrames(on: atServer.id, count: frames.count, "40 frames") == frames)

            // And the other way: the server's frames reach a hand-driven decoder intact.
            for frame in frames { _ = serverLoop.send(frame, on: atServer.id) }
            #expect(try raw.readFrames(frames.count) == frames)
        }

        @Test("close(_:reason:) flushes queued frames, sends close_notify and reports the reason once on each side")
        func gracefulClose() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server)
            defer { serverLoop.shutdown() }
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client)
            defer { clientLoop.shutdown() }
            let port = try serverLoop.listen(host: "127.0.0.1", port: 0).port
            let id = clientLoop.dial(host: "127.0.0.1", port: port)
            let atServer = try server.waitEstablished("the server's session")
            _ = try client.waitEstablished("the client's session")

            let goodbye = Frame(type: .goodbye, payload: Array("maintenance".utf8))
            #expect(clientLoop.send(goodbye, on: id) == .queued)
            clientLoop.close(id, reason: CloseReason(.shutdown, "closing for maintenance"))
            #expect(try client.waitClosed(id, "the client's close") == CloseReason(.shutdown, "closing for maintenance"))
            #expect(try server.waitFrames(on: atServer.id, count: 1, "the goodbye") == [goodbye])
            let reason = try server.waitClosed(atServer.id, "the server's close")
            #expect(reason.message.contains("close_notify"), "\(reason)")
            #expect(reason.code == .peerClosed)
            #expect(clientLoop.send(numberedFrame(1), on: id) == .closed)
            #expect(serverLoop.send(numberedFrame(1), on: atServer.id) == .closed)
            #expect(client.closedReasons(id).count == 1 && server.closedReasons(atServer.id).count == 1)
        }

        @Test("send refuses frames over the maximum length and ids that are not open")
        func sendResults() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a")
            let loop = try makeLoop(a, trusting: ca, recorder: Recorder()) { $0.maxFrameLength = 1_000 }
            defer { loop.shutdown() }
            #expect(loop.send(Frame(type: .entries, payload: [UInt8](repeating: 1, count: 1_000)), on: ConnectionID(rawValue: 99)) == .frameTooLarge)
            #expect(loop.send(Frame(type: .entries, payload: [UInt8](repeating: 1, count: 999)), on: ConnectionID(rawValue: 99)) == .closed)
        }

        @Test("a dial to a port nobody listens on is closed with the reason")
        func connectionRefusedByKernel() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a")
            let recorder = Recorder()
            let loop = try makeLoop(a, trusting: ca, recorder: recorder)
            defer { loop.shutdown() }
            // A port that was just free: listen on it, then stop listening and wait until it is closed.
            let listener = try loop.listen(host: "127.0.0.1", port: 0)
            loop.stopListening(listener)
            loop.schedule(after: .zero, token: 1)   // runs after the stopListening command
            _ = try recorder.wait("the barrier") { events in events.contains { if case .timer(1) = $0 { true } else { false } } ? true : nil }
            let id = loop.dial(host: "127.0.0.1", port: listener.port)
            let reason = try recorder.waitClosed(id, "the refused dial")
            #expect(reason.message.contains("Connection refused"), "\(reason)")
            #expect(reason.code == .connectFailed)
        }

        @Test("a dial that the server never answers is closed by the connect timeout")
        func connectTimeout() throws {
            let ca = try PKI.ca()
            let recorder = Recorder()
            let loop = try makeLoop(try PKI.node(ca, "a"), trusting: ca, recorder: recorder) { $0.connectTimeout = .milliseconds(200) }
            defer { loop.shutdown() }
            // A listener that never accepts, with a backlog of 0: once one connection waits in its
            // accept queue, the kernel drops further SYNs, so the next connect hangs.
            let address = try #require(SocketAddress(numericHost: "127.0.0.1", port: 0))
            let (fd, bound) = try Sockets.listen(on: address, backlog: 0)
            defer { Glibc.close(fd) }
            let occupant = try RawSocket(port: bound.port)
            defer { occupant.close() }
            let id = loop.dial(host: "127.0.0.1", port: bound.port)
            let reason = try recorder.waitClosed(id, "the connect timeout")
            #expect(reason == CloseReason(.connectFailed, "cannot connect to 127.0.0.1:\(bound.port) within 200 ms"), "\(reason)")
        }

        @Test("an established session on which nothing arrives is closed by the idle timeout")
        func idleTimeout() throws {
            let ca = try PKI.ca()
            let a = try PKI.node(ca, "a"), b = try PKI.node(ca, "b")
            let server = Recorder(), client = Recorder()
            let serverLoop = try makeLoop(a, trusting: ca, recorder: server) { $0.idleTimeout = .milliseconds(200) }
            defer { serverLoop.shutdown() }
            let clientLoop = try makeLoop(b, trusting: ca, recorder: client) { $0.idleTimeout = nil }
            defer { clientLoop.shutdown() }
            let port = try serverLoop.listen(host: "127.0.0.1", port: 0).port
            let id = clientLoop.dial(host: "127.0.0.1", port: port)
            let atServer = try server.waitEstablished("the server's session")
            let reason = try server.waitClosed(atServer.id, "the idle timeout")
            #expect(reason.message.contains("idle timeout") && reason.message.contains("200 ms"), "\(reason)")
            #expect(reason.code == .idleTimeout)
            let heard = try client.waitClosed(id, "the client hears of it")
            #expect(heard.message.contains("close_notify"), "\(heard)")
            #expect(heard.code == .peerClosed)
        }

        @Test("delegate timers fire on the loop in deadline order; a cancelled timer does not fire")
        func timers() throws {
            let ca = try PKI.ca()
            let recorder = Recorder()
            let loop = try makeLoop(try PKI.node(ca, "a"), trusting: ca, recorder: recorder)
            defer { loop.shutdown() }
            let cancelled = loop.schedule(after: .milliseconds(20), token: 2)
            loop.schedule(after: .milliseconds(40), token: 3)
            loop.schedule(after: .zero, token: 1)
            loop.cancel(cancelled)
            let fired = try recorder.wait("timer 3") { events -> [UInt64]? in
                let tokens = events.compactMap { if case .timer(let token) = $0 { token } else { nil } }
                return tokens.contains(3) ? tokens : nil
            }
            #expect(fired == [1, 3])
        }
    }
}
