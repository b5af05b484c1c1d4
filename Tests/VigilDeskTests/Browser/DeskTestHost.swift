import Foundation
import VigilAPI
import VigilBrowserTesting
import VigilDesk

/// A test-only HTTP host for the desk: a loopback listener, a thread per connection running the real
/// `DeskConnectionMachine` and `DeskServer`. It stands in for the node's event loop until the node
/// serves the desk itself (docs/desk.md).
final class DeskTestHost: @unchecked Sendable {
    let port: UInt16
    let server: DeskServer
    private let listener: LoopbackSocket
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant
    private let lock = NSLock()
    private var connections: [LoopbackSocket] = []
    private var threads: [Thread] = []
    private let finished = DispatchGroup()
    /// Where the server's async work runs: not the cooperative pool (see ThreadTaskExecutor).
    private let executor = ThreadTaskExecutor()

    init(server: DeskServer) throws {
        self.server = server
        (listener, port) = try LoopbackSocket.listen()
        start = clock.now
        let acceptor = Thread { [self] in acceptLoop() }
        finished.enter()
        acceptor.start()
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private var now: Duration { clock.now - start }

    private func acceptLoop() {
        defer { finished.leave() }
        while let connection = listener.accept() {
            lock.lock()
            connections.append(connection)
            lock.unlock()
            finished.enter()
            Thread { [self] in
                serve(connection)
                finished.leave()
            }.start()
        }
    }

    /// Runs `body` on a new thread (not the cooperative pool) and waits for it without blocking the pool.
    static func onThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await offPool(body)
    }

    /// Runs an async call from a thread that is not in the cooperative pool and waits for its result.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T { wait(body) }

    /// Runs an async call from this (non-pool) thread and waits for its result.
    private func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: executor) {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }

    private func serve(_ socket: LoopbackSocket) {
        socket.setReadTimeout(milliseconds: 500)
        var machine = DeskConnectionMachine(now: now)
        var action = DeskConnectionMachine.Action.none
        while !machine.isClosed {
            switch action {
            case .none:
                switch socket.read() {
                case .bytes(let bytes): action = machine.received(bytes, now: now)
                case .timedOut: action = machine.tick(now: now)
                case .closed: machine.peerClosed()
                }
            case .close:
                machine.peerClosed()
            case .refuse(let response):
                socket.write(response.serialized(keepAlive: false))
                action = machine.writeDrained(now: now)
            case .handle(let request):
                let server = self.server
                let reply = wait { await server.handle(request, client: "127.0.0.1", now: self.now) }
                switch reply {
                case .response(let response):
                    let keepAlive = machine.responseKeepsAlive
                    machine.respond(keepAlive: keepAlive, now: now)
                    action = socket.write(response.serialized(keepAlive: keepAlive, headRequest: request.method == .head))
                        ? machine.writeDrained(now: now) : .close
                case .stream(let head, let events):
                    machine.startStream(now: now)
                    stream(socket, head: head, events: events)
                    machine.peerClosed()
                }
            }
        }
        socket.shutdownBoth()
    }

    /// Writes the event stream from a task until the client goes (seen by a read returning closed).
    private func stream(_ socket: LoopbackSocket, head: [UInt8], events: AsyncStream<DeskEvent>) {
        guard socket.write(head) else { return }
        let writer = Task(executorPreference: executor) {
            for await event in events {
                if !socket.write(DeskReply.eventBytes(event)) { break }
            }
        }
        while true {
            if case .closed = socket.read() { break }
            if !socket.write(ServerSentEvent.heartbeat) { break }
        }
        writer.cancel()
    }

    /// Closes the listener and every connection, and waits for their threads.
    func stop() {
        listener.shutdownBoth()
        lock.lock()
        for connection in connections { connection.shutdownBoth() }
        lock.unlock()
        finished.wait()
        executor.stop()
    }
}

final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
