import Foundation
import Glibc
import Synchronization
import Testing
@testable import VigilNet

extension NetworkTests {
    @Suite("Byte streams")
    struct Streams {
        /// Where a test listens.
        enum Endpoint: String, CaseIterable, Sendable, CustomTestStringConvertible {
            case unix, tcp4, tcp6
            var testDescription: String { rawValue }
        }

        /// A listener of `endpoint` on `loop` and a way to connect clients to it.
        static func listen(_ endpoint: Endpoint, on loop: NetworkLoop, in directory: SocketDirectory,
                           options: StreamListenerOptions = StreamListenerOptions(),
                           delegate: StreamRecorder) throws -> (listener: StreamListener, connect: () throws -> RawSocket) {
            switch endpoint {
            case .unix:
                let path = directory.file("api.sock")
                return (try loop.listenStream(unixPath: path, options: options, delegate: delegate), { try RawSocket(unixPath: path) })
            case .tcp4, .tcp6:
                let host = endpoint == .tcp4 ? "127.0.0.1" : "::1"
                let listener = try loop.listenStream(host: host, port: 0, options: options, delegate: delegate)
                return (listener, { try RawSocket(port: listener.port ?? 0, host: host) })
            }
        }

        @Test("bytes echo back in order; the client's half-close is reported and the answer still arrives", arguments: Endpoint.allCases)
        func roundTrip(_ endpoint: Endpoint) throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            let (listener, connect) = try Self.listen(endpoint, on: loop, in: directory, delegate: server)
            let client = try connect()
            let message = Array("{\"op\":\"status\"}\n".utf8) + patternBytes(200_000, seed: 1)
            try client.write(message)
            client.shutdownWrite()
            #expect(try client.readToEnd() == message)
            let id = try #require(try server.waitAccepted(1, "the stream").first)
            #expect(try server.waitClosed(id, "the server's close") == .closedByOwner("the client finished"))
            #expect(StreamRecorder.received(on: id, in: server.events) == message)
            let accepted = server.events.compactMap { event -> (StreamListener, String, Bool)? in
                if case .accepted(_, let on, let remote, let onLoop) = event { (on, remote, onLoop) } else { nil }
            }
            #expect(accepted.count == 1)
            #expect(accepted.first?.0 == listener)
            #expect(accepted.first?.2 == true, "delegate methods run on the loop thread")
            let remote = accepted.first?.1 ?? ""
            switch endpoint {
            case .unix: #expect(remote == "pid \(getpid()), uid \(getuid())")
            case .tcp4: #expect(remote.hasPrefix("127.0.0.1:"))
            case .tcp6: #expect(remote.hasPrefix("[::1]:"))
            }
            #expect(server.events.contains { if case .inputEnded(id) = $0 { true } else { false } })
            #expect(loop.sendStream([1], on: id) == .closed)
        }

        @Test("forty clients at once over Unix and TCP each get their own bytes back")
        func manyClients() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            let unix = try Self.listen(.unix, on: loop, in: directory, delegate: server)
            let tcp = try Self.listen(.tcp4, on: loop, in: directory, delegate: server)
            let clients = try (0..<40).map { try ($0 % 2 == 0 ? unix.connect : tcp.connect)() }
            let messages = (0..<40).map { patternBytes(3_000 + $0, seed: $0) }
            for (client, message) in zip(clients, messages) { try client.write(message) }
            for (client, message) in zip(clients, messages) { #expect(try client.read(count: message.count) == message) }
            #expect(try server.waitAccepted(40, "forty streams").count == 40)
        }

        @Test("a client that sends one byte at a time is read as a stream, whatever the split")
        func byteAtATime() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            let client = try Self.listen(.unix, on: loop, in: directory, delegate: server).connect()
            let line = Array("{\"op\":\"get\",\"id\":\"00ff\"}\n".utf8)
            for byte in line { try client.write([byte]) }
            #expect(try client.read(count: line.count) == line)
            let id = try #require(try server.waitAccepted(1, "the stream").first)
            #expect(try server.waitReceived(on: id, count: line.count, "the line") == line)
        }

        @Test("a client that disconnects while a large answer is being written is reported closed; others keep working")
        func clientGoneMidStream() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let big = patternBytes(4 << 20, seed: 3)
            let first = Atomic<Bool>(true)
            let server = StreamRecorder(loop: loop, echo: true, onAccepted: { loop, id in
                if first.exchange(false, ordering: .relaxed) { _ = loop.sendStream(big, on: id) }
            })
            let endpoint = try Self.listen(.unix, on: loop, in: directory, delegate: server)
            let leaving = try endpoint.connect()
            let id = try #require(try server.waitAccepted(1, "the first stream").first)
            #expect(try !leaving.read().isEmpty, "the answer started")
            try leaving.write(Array("half a requ".utf8))
            leaving.close()
            #expect(try server.waitClosed(id, "the departed client's stream") == .clientClosed)
            let staying = try endpoint.connect()
            try staying.write(Array("still here\n".utf8))
            #expect(try staying.read(count: 11) == Array("still here\n".utf8))
        }

        @Test("a client that does not read: .queueFull, other clients unaffected, streamWritable once it drains, nothing lost")
        func backPressure() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, peers) = try makeStreamLoop()
            defer { loop.shutdown() }
            let chunk = patternBytes(4 << 20, seed: 5)
            let results = Mutex<[SendResult]>([])
            let first = Atomic<Bool>(true)
            // On the loop thread, so the two sends meet the budget before the loop writes anything.
            let server = StreamRecorder(loop: loop, echo: true, onAccepted: { loop, id in
                guard first.exchange(false, ordering: .relaxed) else { return }
                let answers = [loop.sendStream(chunk, on: id), loop.sendStream([0xAA], on: id)]
                results.withLock { $0 = answers }
            })
            var options = StreamListenerOptions()
            options.sendQueueLimit = 4 << 20
            options.sendQueueLowWater = 1 << 20
            let endpoint = try Self.listen(.unix, on: loop, in: directory, options: options, delegate: server)
            let slow = try endpoint.connect()
            let id = try #require(try server.waitAccepted(1, "the slow client's stream").first)
            try barrier(loop, peers, token: 1)
            #expect(results.withLock { $0 } == [.queued, .queueFull])
            #expect(!server.events.contains { if case .writable = $0 { true } else { false } }, "writable before anything drained")
            // The loop serves another client meanwhile.
            let other = try endpoint.connect()
            try other.write(Array("ping\n".utf8))
            #expect(try other.read(count: 5) == Array("ping\n".utf8))
            // The slow client reads: everything arrives in order, and the owner hears it may send again.
            #expect(try slow.read(count: chunk.count) == chunk)
            _ = try server.wait("streamWritable") { events in
                events.contains { if case .writable(id) = $0 { true } else { false } } ? true : nil
            }
            #expect(loop.sendStream([0xAA], on: id) == .queued)
            #expect(try slow.read(count: 1) == [0xAA])
        }

        @Test("a silent client is closed by the listener's idle timeout")
        func idleTimeout() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            var options = StreamListenerOptions()
            options.idleTimeout = .milliseconds(100)
            let silent = try Self.listen(.tcp4, on: loop, in: directory, options: options, delegate: server).connect()
            let id = try #require(try server.waitAccepted(1, "the stream").first)
            #expect(try server.waitClosed(id, "the idle close") == .idleTimeout(.milliseconds(100)))
            #expect(try silent.read().isEmpty, "the client sees the end of the stream")
        }

        @Test("an idle timeout armed on one stream closes it while another client keeps working")
        func idleTimeoutPerStream() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            var options = StreamListenerOptions()
            options.idleTimeout = nil
            let endpoint = try Self.listen(.unix, on: loop, in: directory, options: options, delegate: server)
            let silent = try endpoint.connect()
            let silentID = try #require(try server.waitAccepted(1, "the silent stream").first)
            let active = try endpoint.connect()
            loop.setStreamIdleTimeout(silentID, .milliseconds(50))
            var rounds = 0
            func roundTrip() throws {
                let message = patternBytes(100, seed: rounds)
                try active.write(message)
                #expect(try active.read(count: message.count) == message)
                rounds += 1
            }
            try roundTrip()
            #expect(try server.waitClosed(silentID, "the idle close") == .idleTimeout(.milliseconds(50)))
            #expect(try silent.read().isEmpty)
            try roundTrip()
            let activeID = try #require(server.accepted.last)
            #expect(!server.events.contains { if case .closed(activeID, _) = $0 { true } else { false } })
        }

        @Test("reading can be paused and resumed; the bytes wait in the kernel meanwhile")
        func pauseReading() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, peers) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true, onAccepted: { loop, id in loop.setStreamReading(id, paused: true) })
            let client = try Self.listen(.unix, on: loop, in: directory, delegate: server).connect()
            let id = try #require(try server.waitAccepted(1, "the stream").first)
            try client.write(Array("held back\n".utf8))
            try barrier(loop, peers, token: 1)
            // The bytes are readable now; a loop that still read would deliver them before the next timer.
            try barrier(loop, peers, token: 2)
            #expect(StreamRecorder.received(on: id, in: server.events).isEmpty)
            loop.setStreamReading(id, paused: false)
            #expect(try client.read(count: 10) == Array("held back\n".utf8))
        }

        @Test("closeStream with flush writes the last line first; without flush it drops what is queued")
        func closeWithAndWithoutFlush() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let line = Array("{\"ok\":false,\"error\":\"bye\"}\n".utf8)
            let count = Atomic<Int>(0)
            // Sent and closed in one delegate method: the bytes are queued, not yet written, when the close is carried out.
            let server = StreamRecorder(loop: loop, onAccepted: { loop, id in
                let flush = count.wrappingAdd(1, ordering: .relaxed).oldValue == 0
                _ = loop.sendStream(line, on: id)
                loop.closeStream(id, reason: flush ? "bad request" : "go away", afterFlush: flush)
            })
            let endpoint = try Self.listen(.tcp4, on: loop, in: directory, delegate: server)
            let flushed = try endpoint.connect()
            #expect(try flushed.readToEnd() == line)
            let dropped = try endpoint.connect()
            #expect(try dropped.readToEnd() == [])
            let ids = try server.waitAccepted(2, "both streams")
            #expect(try server.waitClosed(ids[0], "the flushed close") == .closedByOwner("bad request"))
            #expect(try server.waitClosed(ids[1], "the abrupt close") == .closedByOwner("go away"))
        }
    }
}
