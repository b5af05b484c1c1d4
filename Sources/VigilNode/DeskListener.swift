import Foundation
import VigilAPI
import VigilDesk
import VigilModel
import VigilNet

/// The desk served by the node (docs/desk.md): HTTP/1.1 on a loopback address, on the node's own
/// network loop — the same thread as its peers and its local API, no thread per client. Each connection
/// runs the desk's `DeskConnectionMachine` (limits, slow-client timeouts); complete requests go to the
/// `DeskServer` (sessions, CSRF, pages, JSON API) in a task, whose backend is `NodeDeskBackend`.
/// Event streams are written as the node admits entries. Never on the federation port.
///
/// Every `ByteStreamDelegate` method runs on the loop thread, so `connections` needs no lock.
public final class DeskListener: ByteStreamDelegate, @unchecked Sendable {
    /// Where the desk listens (`host:port` as bound, the port chosen by the kernel when 0 was asked).
    public private(set) var address = ""
    let node: Node
    let server: DeskServer
    private var listener: StreamListener?
    private let origin = ContinuousClock.now
    private var ticks = 0
    private var running = false

    // Loop-thread state.
    private var connections: [StreamID: Connection] = [:]

    struct Connection {
        var machine: DeskConnectionMachine
        let client: String
        var stream: Task<Void, Never>?
        /// The client sent all it will send: close once the request being handled is answered.
        var inputEnded = false
    }

    /// Connections at once (50 officers with a page and its event stream each, and room to spare).
    static let maxClients = 256
    /// How often the connections' deadlines are checked; event streams get a comment every 15 ticks.
    static let tick: Duration = .seconds(1)

    /// A desk for `node`, answering with `server` (not started).
    public init(node: Node, server: DeskServer) {
        self.node = node
        self.server = server
    }

    /// Parses a desk address `HOST:PORT` (`[::1]:PORT` for IPv6). Only loopback is served: the desk
    /// speaks plain HTTP and does not serve HTTPS yet, so any other address is refused with what to do.
    public static func parseAddress(_ text: String) throws(ConfigurationError) -> (host: String, port: UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw ConfigurationError("the desk address is HOST:PORT, e.g. 127.0.0.1:7480 (port 0: any free port); got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard host == "127.0.0.1" || host == "::1" || host.hasPrefix("127.") else {
            throw ConfigurationError("the desk serves \(host) only over HTTPS, which this release does not do yet: serve it on 127.0.0.1 and reach it through an SSH tunnel or a TLS reverse proxy on this machine (docs/desk.md)")
        }
        return (host, port)
    }

    /// Binds `host:port` on the node's loop and starts the deadline ticks.
    public func start(host: String, port: UInt16) throws(ConfigurationError) {
        var options = StreamListenerOptions()
        options.maxClients = Self.maxClients
        options.idleTimeout = .seconds(120)
        do {
            let bound = try node.loop.listenStream(host: host, port: port, options: options, delegate: self)
            listener = bound
            address = host.contains(":") ? "[\(host)]:\(bound.port ?? port)" : "\(host):\(bound.port ?? port)"
        } catch {
            throw ConfigurationError("cannot serve the desk on \(host):\(port): \(error.message)")
        }
        node.runOnLoop { _ in
            self.running = true
            self.scheduleTick()
        }
    }

    /// Stops accepting; open connections end with the loop.
    public func stop() {
        if let listener { node.loop.stopListening(listener) }
        listener = nil
        node.runOnLoop { _ in
            self.running = false
            for (_, connection) in self.connections { connection.stream?.cancel() }
        }
    }

    private var now: Duration { ContinuousClock.now - origin }

    private func scheduleTick() {
        node.runOnLoop(after: Self.tick) { _ in
            guard self.running else { return }
            self.ticks += 1
            let heartbeat = self.ticks % 15 == 0
            for id in Array(self.connections.keys) {
                guard var connection = self.connections[id] else { continue }
                let action = connection.machine.tick(now: self.now)
                self.connections[id] = connection
                if heartbeat, connection.stream != nil { self.send(ServerSentEvent.heartbeat, to: id) }
                self.carryOut(action, on: id)
            }
            self.scheduleTick()
        }
    }

    // MARK: ByteStreamDelegate (loop thread)

    public func streamAccepted(_ id: StreamID, on listener: StreamListener, remote: String) {
        node.loop.assertOnLoop()
        let client = remote.lastIndex(of: ":").map { String(remote[..<$0]) } ?? remote
        connections[id] = Connection(machine: DeskConnectionMachine(now: now), client: client)
    }

    public func streamReceived(_ id: StreamID, _ bytes: [UInt8]) {
        node.loop.assertOnLoop()
        guard var connection = connections[id] else { return }
        let action = connection.machine.received(bytes, now: now)
        connections[id] = connection
        carryOut(action, on: id)
    }

    public func streamInputEnded(_ id: StreamID) {
        node.loop.assertOnLoop()
        guard connections[id] != nil else { return }
        connections[id]!.inputEnded = true
        // An event stream's client has gone, or nothing is pending; otherwise answer, then close (`replied`).
        if connections[id]!.stream != nil || connections[id]!.machine.wantsInput { node.loop.closeStream(id, reason: "the client finished") }
    }

    public func streamClosed(_ id: StreamID, reason: StreamCloseReason) {
        node.loop.assertOnLoop()
        connections.removeValue(forKey: id)?.stream?.cancel()
    }

    public func streamRefused(on listener: StreamListener, remote: String, reason: StreamRefusal) {
        node.log.event(.warning, "desk-refused", ["remote": remote, "reason": reason.description])
    }

    // MARK: Requests (loop thread)

    private func carryOut(_ action: DeskConnectionMachine.Action, on id: StreamID) {
        guard let connection = connections[id] else { return }
        switch action {
        case .none:
            node.loop.setStreamReading(id, paused: !connection.machine.wantsInput)
        case .close:
            node.loop.closeStream(id, reason: "desk connection finished")
        case .refuse(let response):
            send(response.serialized(keepAlive: false), to: id)
            node.loop.closeStream(id, reason: "desk request refused: \(response.status.code)")
        case .handle(let request):
            node.loop.setStreamReading(id, paused: true)
            let server = self.server, client = connection.client, at = now
            Task {
                let reply = await server.handle(request, client: client, now: at)
                self.node.runOnLoop { _ in self.replied(reply, to: request, on: id) }
            }
        }
    }

    /// The server's reply to the request being handled on `id` (loop thread).
    private func replied(_ reply: DeskReply, to request: HTTPRequest, on id: StreamID) {
        guard var connection = connections[id] else { return }
        switch reply {
        case .response(let response):
            let keepAlive = connection.machine.responseKeepsAlive
            connection.machine.respond(keepAlive: keepAlive, now: now)
            send(response.serialized(keepAlive: keepAlive, headRequest: request.method == .head), to: id)
            // Queued on the loop, which writes it; a client that does not read meets the send-queue limit.
            let next = connection.machine.writeDrained(now: now)
            connections[id] = connection
            if connection.inputEnded, next == .none {
                node.loop.closeStream(id, reason: "the client finished")
                return
            }
            carryOut(next, on: id)
        case .stream(let head, let events):
            connection.machine.startStream(now: now)
            node.loop.setStreamIdleTimeout(id, nil)
            node.loop.setStreamReading(id, paused: false)
            send(head, to: id)
            let loop = node.loop
            connection.stream = Task {
                for await event in events {
                    if loop.sendStream(DeskReply.eventBytes(event), on: id) != .queued {
                        loop.closeStream(id, reason: "the desk client does not read its event stream", afterFlush: false)
                        break
                    }
                }
            }
            _ = connection.machine.writeDrained(now: now)
            connections[id] = connection
        }
    }

    private func send(_ bytes: [UInt8], to id: StreamID) {
        if node.loop.sendStream(bytes, on: id) == .queueFull {
            node.loop.closeStream(id, reason: "the desk client reads too slowly", afterFlush: false)
        }
    }
}
