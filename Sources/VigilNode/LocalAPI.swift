import Foundation
import VigilAPI
import VigilModel
import VigilNet

/// The node's local API server: JSON lines on the Unix socket `DIR/node.sock` (mode 0600: only the
/// node's own user can reach it; nothing listens on the network for it), served by the node's own
/// network loop — the same thread as its peers, no thread per client (docs/local-api.md,
/// docs/threading.md).
///
/// Every method of this class runs on the loop thread (`ByteStreamDelegate`), so its per-client state
/// needs no lock; `assertOnLoop` checks it. A request is decoded there; its answer is computed by
/// `LocalAPIHandler` in a task (it reads the store and hops onto the loop for the core's state) and
/// written back in request order, one request at a time per client. `follow` registers with the node's
/// admissions: each entry is written as it becomes held, nothing polls.
public final class LocalAPIServer: ByteStreamDelegate, @unchecked Sendable {
    /// The socket path.
    public let path: String
    let node: Node
    let handler: LocalAPIHandler
    private var listener: StreamListener?

    // Loop-thread state.
    private var clients: [StreamID: Client] = [:]

    /// A client connection's state.
    struct Client {
        var buffer: [UInt8] = []
        var pending: [[UInt8]] = []
        var busy = false
        var follow: UInt64?
        /// Entries held while this follower's backlog is being read (nil once it is written).
        var followBuffer: [Entry]?
        var inputEnded = false
        /// The idle timeout is disarmed for the running request (a `wait`) and is armed again after it.
        var idleDisarmed = false
    }

    /// How long a client may stay silent between requests.
    static let idleTimeout: Duration = .seconds(300)
    /// Bytes a `follow` client may leave unread before it is dropped as too slow.
    static let followQueueLimit = 8 << 20

    /// A server for `node` at `path` (not started).
    public init(path: String, node: Node) {
        self.path = path
        self.node = node
        self.handler = LocalAPIHandler(node: node)
    }

    /// Binds the socket (mode 0600) on the node's loop. Throws when another node serves the path.
    public func start() throws {
        var options = StreamListenerOptions()
        options.idleTimeout = Self.idleTimeout
        options.sendQueueLimit = Self.followQueueLimit
        options.maxClients = 256
        do {
            listener = try node.loop.listenStream(unixPath: path, mode: 0o600, options: options, delegate: self)
        } catch {
            throw ConfigurationError("cannot serve the local API at \(path): \(error.message)")
        }
    }

    /// Stops accepting and removes the socket file (clients already connected are closed by the loop's shutdown).
    public func stop() {
        if let listener { node.loop.stopListening(listener) }
        listener = nil
    }

    // MARK: ByteStreamDelegate (loop thread)

    public func streamAccepted(_ id: StreamID, on listener: StreamListener, remote: String) {
        node.loop.assertOnLoop()
        clients[id] = Client()
    }

    public func streamReceived(_ id: StreamID, _ bytes: [UInt8]) {
        node.loop.assertOnLoop()
        guard var client = clients[id], client.follow == nil else { return }
        client.buffer += bytes
        var start = 0
        while let newline = client.buffer[start...].firstIndex(of: 0x0a) {
            client.pending.append(Array(client.buffer[start..<newline]))
            start = newline + 1
        }
        if start > 0 { client.buffer.removeFirst(start) }
        if client.buffer.count > APICodec.maxRequestLine {
            clients[id] = nil
            send(APICodec.encodeFailure(APIFailure(.badRequest, "request longer than \(APICodec.maxRequestLine) bytes")), to: id)
            node.loop.closeStream(id, reason: "request line too long")
            return
        }
        clients[id] = client
        next(id)
    }

    public func streamInputEnded(_ id: StreamID) {
        node.loop.assertOnLoop()
        guard clients[id] != nil else { return }
        clients[id]!.inputEnded = true
        if clients[id]!.follow == nil { next(id) }
    }

    public func streamClosed(_ id: StreamID, reason: StreamCloseReason) {
        node.loop.assertOnLoop()
        if let token = clients.removeValue(forKey: id)?.follow { node.removeFollower(token) }
    }

    public func streamRefused(on listener: StreamListener, remote: String, reason: StreamRefusal) {
        node.log.event(.warning, "local-api-refused", ["remote": remote, "reason": reason.description])
    }

    // MARK: Requests (loop thread)

    /// Starts the next request of `id` if none is running.
    private func next(_ id: StreamID) {
        guard var client = clients[id], !client.busy, client.follow == nil else { return }
        guard !client.pending.isEmpty else {
            if client.inputEnded { node.loop.closeStream(id, reason: "the client finished") }
            return
        }
        let line = client.pending.removeFirst()
        let request: APIRequest
        do {
            request = try APICodec.decodeRequest(line)
        } catch {
            clients[id] = client
            send(APICodec.encodeFailure(error), to: id)
            return next(id)
        }
        if case .follow(let follow) = request {
            client.pending = []
            clients[id] = client
            return startFollow(id, follow)
        }
        client.busy = true
        if case .wait = request {
            node.loop.setStreamIdleTimeout(id, nil)
            client.idleDisarmed = true
        }
        clients[id] = client
        if case .compose(let compose) = request {
            // The post path: no task, no hop; the answer is written on the loop once durable.
            handler.composeOnLoop(compose) { [self] answer in
                send(answer, to: id)
                finished(id)
            }
            return
        }
        let handler = self.handler
        Task {
            let answer = await handler.answer(request)
            // Written at once from here (sendStream is thread-safe); the bookkeeping hops onto the loop.
            if self.node.loop.sendStream(answer, on: id) == .queueFull {
                self.node.loop.closeStream(id, reason: "the client reads its answers too slowly", afterFlush: false)
            }
            self.node.runOnLoop { _ in self.finished(id) }
        }
    }

    /// A request's answer is ready: write it, then take the next request. The idle deadline counts
    /// from the stream's last read or write, so only a request that disarmed it arms it again (one
    /// timer entry per `wait`, not per request on a kept connection).
    private func finished(_ id: StreamID) {
        guard clients[id] != nil else { return }
        clients[id]!.busy = false
        if clients[id]!.idleDisarmed {
            clients[id]!.idleDisarmed = false
            node.loop.setStreamIdleTimeout(id, Self.idleTimeout)
        }
        next(id)
    }

    // MARK: follow (loop thread)

    /// Registers with the node's admissions first (entries held meanwhile are kept), then writes the
    /// backlog, the marker, and what arrived meanwhile; after that every admission is written at once.
    private func startFollow(_ id: StreamID, _ request: FollowRequest) {
        node.loop.setStreamIdleTimeout(id, nil)
        let token = node.addFollower { [weak self] entries in self?.followed(id, entries) }
        clients[id]?.follow = token
        clients[id]?.followBuffer = []
        let last = max(0, min(request.last ?? 0, 1000))
        let node = self.node
        Task {
            var backlog: [EntrySummary] = []
            if last > 0 {
                var r = EntriesRequest()
                r.limit = last
                backlog = ((try? await node.list(r)) ?? []).reversed()
            }
            let lines = backlog
            node.runOnLoop { _ in
                guard self.clients[id]?.follow == token else { return }
                let seen = Set(lines.map(\.id))
                var out: [UInt8] = []
                for summary in lines { out += APICodec.encodeAnswer(FollowLine(entry: summary)) }
                out += APICodec.encodeAnswer(FollowLine.marker)
                self.send(out, to: id)
                let early = self.clients[id]?.followBuffer ?? []
                self.clients[id]?.followBuffer = nil
                self.write(early.filter { !seen.contains($0.id) }, to: id)
            }
        }
    }

    /// Newly held entries for a follower (loop thread): kept while its backlog is read, else written.
    private func followed(_ id: StreamID, _ entries: [Entry]) {
        guard clients[id] != nil else { return }
        if clients[id]!.followBuffer != nil { clients[id]!.followBuffer! += entries } else { write(entries, to: id) }
    }

    /// Writes newly held entries to a follower (loop thread).
    private func write(_ entries: [Entry], to id: StreamID) {
        guard !entries.isEmpty else { return }
        let roster = node.currentRoster
        var out: [UInt8] = []
        for entry in entries { out += APICodec.encodeAnswer(FollowLine(entry: Node.summary(entry, roster: roster, view: nil))) }
        send(out, to: id)
    }

    private func send(_ bytes: [UInt8], to id: StreamID) {
        if node.loop.sendStream(bytes, on: id) == .queueFull {
            node.log.event(.warning, "local-api-client-dropped", ["reason": "more than \(Self.followQueueLimit >> 20) MiB of answers unread"])
            node.loop.closeStream(id, reason: "the client reads its answers too slowly", afterFlush: false)
        }
    }
}
