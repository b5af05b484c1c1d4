import Foundation
import Glibc
import Testing
@testable import VigilNet

extension NetworkTests {
    @Suite("Stream listeners")
    struct StreamListeners {
        /// The permission bits of the file at `path`.
        static func mode(_ path: String) throws -> mode_t {
            var info = stat()
            guard lstat(path, &info) == 0 else { throw TestFailure("lstat \(path): \(errnoDescription())") }
            return info.st_mode & 0o7777
        }

        static func exists(_ path: String) -> Bool {
            var info = stat()
            return lstat(path, &info) == 0
        }

        @Test("the socket file gets exactly the mode asked for, whatever the umask, and the umask is left alone")
        func socketFileMode() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop)
            let before = umask(0o022)
            defer { umask(before) }
            let owner = try loop.listenStream(unixPath: directory.file("owner.sock"), delegate: server)
            #expect(try Self.mode(directory.file("owner.sock")) == 0o600)
            #expect(owner.path == directory.file("owner.sock") && owner.port == nil)
            _ = try loop.listenStream(unixPath: directory.file("group.sock"), mode: 0o660, delegate: server)
            #expect(try Self.mode(directory.file("group.sock")) == 0o660, "bits the umask would take away are set after bind")
            #expect(umask(0o022) == 0o022)
        }

        @Test("a stale socket file (no server behind it) is replaced")
        func staleSocketReplaced() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let path = directory.file("node.sock")
            // A server that died without removing its file.
            var address = try UnixSocket.address(path)
            let dead = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(dead, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            try #require(bound == 0)
            close(dead)
            try #require(Self.exists(path))

            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            _ = try loop.listenStream(unixPath: path, delegate: server)
            let client = try RawSocket(unixPath: path)
            try client.write([1, 2, 3])
            #expect(try client.read(count: 3) == [1, 2, 3])
        }

        @Test("a second server on a live path is refused with a clear error; the first keeps serving; stopListening frees the path")
        func secondServerRefused() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let path = directory.file("node.sock")
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let (other, _) = try makeStreamLoop()
            defer { other.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            let listener = try loop.listenStream(unixPath: path, delegate: server)
            #expect {
                try other.listenStream(unixPath: path, delegate: StreamRecorder(loop: other))
            } throws: { error in
                guard let error = error as? NetworkError else { return false }
                return error.code == .bind && error.message == "cannot listen on \(path): another server is already listening there; stop it first, or choose another path"
            }
            let client = try RawSocket(unixPath: path)
            try client.write([7])
            #expect(try client.read(count: 1) == [7])

            loop.stopListening(listener)
            #expect(!Self.exists(path), "stopListening removes the socket file at once")
            _ = try other.listenStream(unixPath: path, delegate: StreamRecorder(loop: other))
            #expect(Self.exists(path))
            try client.write([8])
            #expect(try client.read(count: 1) == [8], "streams already accepted stay open")
        }

        @Test("a path with something else in the way, a path too long, a name or a non-loopback address, and bad options are refused clearly")
        func badArguments() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop)
            let file = directory.file("notes.txt")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: file))
            #expect(throws: NetworkError(.bind, "cannot listen on \(file): a file that is not a socket is in the way; move it away or choose another path")) {
                try loop.listenStream(unixPath: file, delegate: server)
            }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me")
            let long = directory.file(String(repeating: "x", count: 120))
            #expect { try loop.listenStream(unixPath: long, delegate: server) } throws: { ($0 as? NetworkError)?.code == .address }
            #expect { try loop.listenStream(host: "localhost", port: 0, delegate: server) } throws: { ($0 as? NetworkError)?.code == .address }
            for outside in ["0.0.0.0", "::", "192.0.2.1", "::ffff:10.0.0.1"] {
                #expect(throws: NetworkError(.address, "\(outside) is not a loopback address; a plain-text stream listener serves this machine only: use 127.0.0.1 or ::1")) {
                    try loop.listenStream(host: outside, port: 0, delegate: server)
                }
            }
            for inside in ["127.0.0.1", "127.8.9.10", "::1", "[::1]"] {
                let listener = try loop.listenStream(host: inside, port: 0, delegate: server)
                loop.stopListening(listener)
            }
            var options = StreamListenerOptions()
            options.maxClients = 0
            #expect { try loop.listenStream(host: "127.0.0.1", port: 0, options: options, delegate: server) } throws: { ($0 as? NetworkError)?.code == .configuration }
            #expect { try loop.listenStream(unixPath: directory.file("a.sock"), mode: 0o4755, delegate: server) } throws: { ($0 as? NetworkError)?.code == .configuration }
        }

        @Test("clients beyond maxClients are closed at once and reported; a place that frees up is taken again")
        func maxClients() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let (loop, _) = try makeStreamLoop()
            defer { loop.shutdown() }
            let server = StreamRecorder(loop: loop, echo: true)
            var options = StreamListenerOptions()
            options.maxClients = 2
            let path = directory.file("api.sock")
            let listener = try loop.listenStream(unixPath: path, options: options, delegate: server)
            let first = try RawSocket(unixPath: path), second = try RawSocket(unixPath: path)
            let ids = try server.waitAccepted(2, "two streams")
            let third = try RawSocket(unixPath: path)
            #expect(try third.read().isEmpty, "the third client is closed at once")
            let refusal = try server.wait("the refusal") { events in
                for case .refused(let on, let remote, let reason) in events { return (on, remote, reason) }
                return nil
            }
            #expect(refusal.0 == listener && refusal.2 == .tooManyClients(limit: 2))
            #expect(refusal.1 == "pid \(getpid()), uid \(getuid())")
            try second.write([2])
            #expect(try second.read(count: 1) == [2])
            first.close()
            #expect(try server.waitClosed(ids[0], "the first client's close") == .clientClosed)
            let fourth = try RawSocket(unixPath: path)
            try fourth.write([4])
            #expect(try fourth.read(count: 1) == [4])
        }

        @Test("shutdown reports every stream, closes every socket and removes the socket file; so does a loop never started")
        func shutdownLeavesNothing() throws {
            let directory = try SocketDirectory()
            defer { directory.remove() }
            let before = openNetworkDescriptorsByFD()
            let (loop, _) = try makeStreamLoop()
            let server = StreamRecorder(loop: loop, echo: true)
            let path = directory.file("api.sock")
            _ = try loop.listenStream(unixPath: path, delegate: server)
            let tcp = try loop.listenStream(host: "127.0.0.1", port: 0, delegate: server)
            var clients = try (0..<3).map { _ in try RawSocket(unixPath: path) }
            clients.append(try RawSocket(port: tcp.port ?? 0))
            let ids = try server.waitAccepted(4, "four streams")
            for (client, id) in zip(clients, ids) {
                try client.write([1])
                _ = try server.waitReceived(on: id, count: 1, "a byte on \(id)")
            }
            for id in ids { _ = loop.sendStream(patternBytes(1 << 20, seed: 9), on: id) }   // work in flight
            let clientFDs = Set(clients.map(\.fd))
            let ours = openNetworkDescriptorsByFD().filter { before[$0.key] != $0.value && !clientFDs.contains($0.key) }
            #expect(ours.values.filter { $0.hasPrefix("socket:") }.count >= 6, "two listeners and four streams: \(ours)")
            loop.shutdown()
            for id in ids { #expect(try server.waitClosed(id, "\(id) reported") == .shutdown) }
            #expect(!Self.exists(path), "shutdown removes the socket file")
            for client in clients { client.close() }
            let after = openNetworkDescriptorsByFD()
            let left = ours.filter { $0.value.hasPrefix("socket:") && after[$0.key] == $0.value }
            #expect(left.isEmpty, "sockets still open after shutdown: \(left)")

            let ca = try PKI.ca()
            let idle = try NetworkLoop(configuration: NetworkConfiguration(tls: PKI.context(try PKI.node(ca, "a"), trusting: ca)))
            let never = directory.file("never.sock")
            _ = try idle.listenStream(unixPath: never, delegate: StreamRecorder(loop: idle))
            #expect(Self.exists(never))
            idle.shutdown()
            #expect(!Self.exists(never))
            #expect { try idle.listenStream(unixPath: never, delegate: StreamRecorder(loop: idle)) } throws: { ($0 as? NetworkError)?.code == .stopped }
            #expect(!Self.exists(never), "a loop that was shut down creates no socket file")
        }
    }
}
