import Foundation
import VigilAPI
import VigilCrypto
import VigilDesk
import VigilModel
import VigilNet

/// The desk served by the node (docs/desk.md): HTTP/1.1 on a loopback address, or HTTPS on any address
/// (the node's `TLSEngine` as a server without client certificates), on the node's own network loop —
/// the same thread as its peers and its local API, no thread per client. Each connection runs the
/// desk's `DeskConnectionMachine` (TLS handshake, limits, slow-client timeouts); complete requests go to the
/// `DeskServer` (sessions, CSRF, pages, JSON API) in a task, whose backend is `NodeDeskBackend`.
/// Event streams are written as the node admits entries. Never on the federation port.
///
/// Every `ByteStreamDelegate` method runs on the loop thread, so `connections` needs no lock.
public final class DeskListener: ByteStreamDelegate, @unchecked Sendable {
    /// Where the desk listens (`host:port` as bound, the port chosen by the kernel when 0 was asked).
    public private(set) var address = ""
    let node: Node
    let server: DeskServer
    /// The HTTPS settings; nil serves plain HTTP.
    let tls: TLSContext?
    let timeouts: DeskConnectionTimeouts
    private var listener: StreamListener?
    private let origin = ContinuousClock.now
    private var ticks = 0
    private var running = false

    // Loop-thread state.
    private var connections: [StreamID: Connection] = [:]

    struct Connection {
        var machine: DeskConnectionMachine
        let client: String
        /// The TLS session over HTTPS (owned by the loop thread, like the machine).
        let tls: TLSConnection?
        /// Whether any byte arrived yet (the first one tells plain HTTP from TLS).
        var started = false
        var stream: Task<Void, Never>?
        /// The client sent all it will send: close once the request being handled is answered.
        var inputEnded = false
    }

    /// Connections at once (50 officers with a page and its event stream each, and room to spare).
    static let maxClients = 256
    /// How often the connections' deadlines are checked; event streams get a comment every 15 ticks.
    static let tick: Duration = .seconds(1)

    /// A desk for `node`, answering with `server` (not started): over HTTPS with `tls`
    /// (`DeskTLSFiles.load`; the server's settings must then be `secure`), else plain HTTP.
    public init(node: Node, server: DeskServer, tls: TLSContext? = nil, timeouts: DeskConnectionTimeouts = .desk) {
        self.node = node
        self.server = server
        self.tls = tls
        self.timeouts = timeouts
    }

    /// The desk's address for a browser: `https://HOST:PORT/` or `http://HOST:PORT/`.
    public var url: String { "\(tls == nil ? "http" : "https")://\(address)/" }

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
        var session: TLSConnection?
        if let tls {
            do {
                session = try TLSConnection(context: tls, isClient: false)
            } catch {
                node.log.event(.warning, "desk-tls-failed", ["remote": remote, "reason": "cannot start a TLS session: \(error)"])
                node.loop.closeStream(id, reason: "cannot start a TLS session", afterFlush: false)
                return
            }
        }
        connections[id] = Connection(machine: DeskConnectionMachine(now: now, timeouts: timeouts, handshake: session != nil),
                                     client: client, tls: session)
    }

    public func streamReceived(_ id: StreamID, _ bytes: [UInt8]) {
        node.loop.assertOnLoop()
        guard var connection = connections[id] else { return }
        var plaintext = bytes
        if let tls = connection.tls {
            if !connection.started, let first = bytes.first, PlainHTTPOnTLSPort.matches(firstByte: first) {
                // Not TLS at all: say where the desk is, in the client's own plain HTTP, and close.
                connections.removeValue(forKey: id)
                _ = node.loop.sendStream(PlainHTTPOnTLSPort.response(httpsAddress: url).serialized(keepAlive: false), on: id)
                node.loop.closeStream(id, reason: "plain HTTP on the desk's HTTPS port")
                return
            }
            connection.started = true
            plaintext = []
            do {
                // A record's worth at a time, so the engine's memory buffers stay small (as `Channel` does).
                var offset = 0
                while offset < bytes.count {
                    let end = min(offset + 17 * 1024, bytes.count)
                    tls.receive(bytes[offset..<end])
                    offset = end
                    if !tls.isHandshakeComplete, try tls.advanceHandshake() { connection.machine.handshakeCompleted(now: now) }
                    if tls.isHandshakeComplete { plaintext += try tls.readAvailable() }
                }
            } catch {
                flush(tls, on: id)   // the alert tells the client why
                connections.removeValue(forKey: id)
                node.log.event(.info, "desk-tls-failed", ["remote": connection.client, "reason": "\(error)"])
                node.loop.closeStream(id, reason: "desk TLS failed")
                return
            }
            flush(tls, on: id)
            connections[id] = connection
            if tls.peerClosed {
                if !plaintext.isEmpty { streamPlaintext(id, plaintext) }
                streamInputEnded(id)
                return
            }
            guard !plaintext.isEmpty else { return }
        }
        streamPlaintext(id, plaintext)
    }

    /// Request bytes from the client (as sent over plain HTTP, or decrypted).
    private func streamPlaintext(_ id: StreamID, _ bytes: [UInt8]) {
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
        if connections[id]!.stream != nil || connections[id]!.machine.wantsInput { close(id, reason: "the client finished") }
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
            close(id, reason: connection.tls?.isHandshakeComplete == false ? "the TLS handshake did not finish within \(timeouts.handshake)" : "desk connection finished")
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
                close(id, reason: "the client finished")
                return
            }
            carryOut(next, on: id)
        case .stream(let head, let events):
            connection.machine.startStream(now: now)
            node.loop.setStreamIdleTimeout(id, nil)
            node.loop.setStreamReading(id, paused: false)
            send(head, to: id)
            let loop = node.loop
            let secure = connection.tls != nil
            connection.stream = Task {
                for await event in events {
                    if secure {
                        // The TLS session belongs to the loop thread: encrypt there.
                        self.node.runOnLoop { _ in self.sendEvent(DeskReply.eventBytes(event), on: id) }
                        continue
                    }
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
        guard let wire = seal(bytes, on: id) else { return }
        if node.loop.sendStream(wire, on: id) == .queueFull {
            node.loop.closeStream(id, reason: "the desk client reads too slowly", afterFlush: false)
        }
    }

    /// One event on an HTTPS event stream (loop thread).
    private func sendEvent(_ bytes: [UInt8], on id: StreamID) {
        guard connections[id] != nil, let wire = seal(bytes, on: id) else { return }
        if node.loop.sendStream(wire, on: id) != .queued {
            node.loop.closeStream(id, reason: "the desk client does not read its event stream", afterFlush: false)
        }
    }

    /// The bytes for the socket: `bytes` as they are over plain HTTP, encrypted over HTTPS (in slices of
    /// one record, so the engine's buffers stay small). Nil when encryption failed (the stream is closed).
    private func seal(_ bytes: [UInt8], on id: StreamID) -> [UInt8]? {
        guard let tls = connections[id]?.tls else { return bytes }
        var wire: [UInt8] = []
        var offset = 0
        do {
            while offset < bytes.count {
                let end = min(offset + 16 * 1024, bytes.count)
                try tls.send(bytes[offset..<end])
                wire += tls.takeOutgoing()
                offset = end
            }
        } catch {
            node.log.event(.info, "desk-tls-failed", ["reason": "\(error)"])
            node.loop.closeStream(id, reason: "desk TLS failed", afterFlush: false)
            return nil
        }
        return wire
    }

    /// Sends what the TLS engine has for the client (handshake messages, alerts, close_notify).
    private func flush(_ tls: TLSConnection, on id: StreamID) {
        let bytes = tls.takeOutgoing()
        if !bytes.isEmpty { _ = node.loop.sendStream(bytes, on: id) }
    }

    /// Closes `id` after what is queued; over HTTPS with a close_notify after a finished handshake.
    private func close(_ id: StreamID, reason: String) {
        if let tls = connections[id]?.tls, tls.isHandshakeComplete {
            tls.close()
            flush(tls, on: id)
        }
        node.loop.closeStream(id, reason: reason)
    }
}
