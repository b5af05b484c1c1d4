import Dispatch
import Glibc
import Synchronization
import VigilCrypto
import VigilSync

/// The network shell of a node: one thread that serves every peer connection over mutual TLS 1.3 and
/// carries length-prefixed frames (it never looks inside them), and the plain byte streams of local
/// clients — the local API's Unix socket, the web desk's TCP port (`listenStream`, `sendStream`, … in
/// `NetworkLoop+Streams.swift`; their owner is a `ByteStreamDelegate`, called on the same thread).
///
/// ## Threading model
/// - **One dedicated loop thread** (named `vigil-net`, started by `start(delegate:)`, joined by
///   `shutdown()`) runs a level-triggered Linux `epoll` loop over every socket of this loop:
///   listeners, accepted and dialled connections. Sockets are non-blocking, so the thread only
///   sleeps in `epoll_wait`, whose timeout is the earliest deadline of a min-heap of timers
///   (connect, handshake, idle, linger and the delegate's own timers). There is no thread per
///   connection and no polling: 1,000 idle sessions cost one sleeping thread.
/// - It is **not** the Swift concurrency cooperative pool (two threads on the target machines):
///   TLS work and system calls never occupy a pool thread, and a slow delegate stalls this loop
///   only, never the node's async tasks.
/// - **Every other method is thread-safe** and never blocks on I/O: `send`, `close`, `dial`,
///   `schedule`, … append a command to a queue under a short lock and, if the loop may be asleep,
///   write to an `eventfd` that wakes it. `send` decides back-pressure right there, from the
///   connection's byte budget kept under the same lock, so it can answer `.queueFull` at once.
/// - **The delegate is called on the loop thread** (see `NetworkLoopDelegate`), so it may keep
///   per-connection state without locks, must not block, and may call back into the loop.
/// - The OpenSSL objects of a connection live and die on the loop thread (its error queue is per
///   thread). Host names given to `dial` are resolved on a private dispatch queue, never on the loop.
///
/// See `docs/threading.md` for the reasoning and the numbers.
///
/// ## Lifecycle
/// `init` → `start(delegate:)` → `listen` / `dial` / `send` / … → `shutdown()`. `listen` and `dial`
/// may be called before `start`; their work waits for the loop. After `shutdown()` no descriptor
/// and no thread of this loop remain, and every call is refused (`send` returns `.closed`).
public final class NetworkLoop: Sendable {
    /// The settings this loop was made with.
    public let configuration: NetworkConfiguration

    let shared: LoopShared
    private let core: LoopCore
    private let thread = Mutex<pthread_t?>(nil)
    private let resolver = DispatchQueue(label: "vigil.net.resolver")

    /// A loop with this configuration (checked). Creates its epoll instance and eventfd; starts no thread.
    public init(configuration: NetworkConfiguration) throws(NetworkError) {
        try configuration.validate()
        self.configuration = configuration
        let poller = try Poller()
        shared = LoopShared(wakeFD: poller.wakeFD)
        core = LoopCore(configuration: configuration, shared: shared, poller: poller)
    }

    deinit { shutdown() }

    /// Starts the loop thread; `delegate` hears about every connection from then on (on that thread)
    /// and is released when the loop shuts down.
    public func start(delegate: any NetworkLoopDelegate) throws(NetworkError) {
        let ok = shared.state.withLock { state -> Bool in
            guard state.phase == .created else { return false }
            state.phase = .running
            return true
        }
        guard ok else { throw NetworkError(.stopped, "the network loop was already started or shut down") }
        core.delegate = delegate   // before the thread exists: pthread_create orders this write before its reads
        var handle = pthread_t()
        let context = Unmanaged.passRetained(core).toOpaque()
        let status = pthread_create(&handle, nil, { raw in
            let core = Unmanaged<LoopCore>.fromOpaque(raw!).takeRetainedValue()
            core.run()
            if core.shared.closePollerOnExit.load(ordering: .acquiring) { core.poller.close() }
            return nil
        }, context)
        guard status == 0 else {
            Unmanaged<LoopCore>.fromOpaque(context).release()
            shared.state.withLock { $0.phase = .created }
            core.delegate = nil
            throw NetworkError(.system, "cannot start the network loop thread: \(errnoDescription(status))")
        }
        thread.withLock { $0 = handle }
        Poller.wake(shared.wakeFD)   // commands queued before start
    }

    /// Listens on `host:port` (a numeric IPv4 or IPv6 address, or a name resolved here; port 0 lets
    /// the kernel choose) with SO_REUSEADDR. Binds synchronously, so a taken port throws here; the
    /// returned `Listener` has the bound port. Connections are accepted once the loop runs.
    public func listen(host: String, port: UInt16) throws(NetworkError) -> Listener {
        let addresses = try SocketAddress.resolve(host: host, port: port, passive: true)
        let (fd, bound) = try Sockets.listen(on: addresses[0], backlog: configuration.listenBacklog)
        let listener = Listener(id: shared.allocateID(), address: bound.description, port: bound.port)
        guard shared.submit(.listen(listener, fd: fd)) else {
            Glibc.close(fd)
            throw NetworkError(.stopped, "the network loop is shut down; it listens no more")
        }
        return listener
    }

    /// Stops accepting on `listener` and closes its socket (established connections stay).
    public func stopListening(_ listener: Listener) {
        shared.submit(.stopListening(listener.id))
    }

    /// Dials `host:port` and returns the connection's id at once; the outcome arrives through the
    /// delegate (`connectionEstablished`, and in every case one `connectionClosed` in the end). A
    /// numeric address is used as is; a name is resolved off the loop, and its addresses are tried
    /// in turn. With `expectedPeer`, a server presenting another node's certificate is closed with
    /// the reason. Frames may be sent at once: they wait in the send queue until the session is
    /// established.
    public func dial(host: String, port: UInt16, expectedPeer: PublicKey? = nil) -> ConnectionID {
        let id = ConnectionID(rawValue: shared.allocateID())
        let remote = SocketAddress(numericHost: host, port: port)?.description ?? "\(host):\(port)"
        let numeric = SocketAddress(numericHost: host, port: port).map { [$0] }
        shared.state.withLock { state in
            if state.phase == .created || state.phase == .running { state.budgets[id] = SendBudget() }
        }
        guard shared.submit(.dial(id, remote: remote, addresses: numeric, expectedPeer: expectedPeer)) else { return id }
        if numeric == nil {
            resolver.async { [shared] in
                let result = Result { () throws(NetworkError) in try SocketAddress.resolve(host: host, port: port) }
                shared.submit(.resolved(id, result))
            }
        }
        return id
    }

    /// Queues `frame` on `id`, or reports back-pressure: `.queueFull` when the connection already
    /// holds `sendQueueLimit` bytes not yet handed to TLS (the frame is not queued; wait for
    /// `writable`). Never blocks on the network. Frames on one connection go out in `send` order.
    public func send(_ frame: Frame, on id: ConnectionID) -> SendResult {
        guard frame.payload.count + 1 <= configuration.maxFrameLength else { return .frameTooLarge }
        let bytes = frame.encoded
        let limit = configuration.sendQueueLimit
        let onLoop = shared.onLoopThread
        let (result, wake) = shared.state.withLock { state -> (SendResult, Bool) in
            guard state.phase == .created || state.phase == .running, var budget = state.budgets[id] else { return (.closed, false) }
            if budget.queued > 0 && budget.queued + bytes.count > limit {
                budget.blocked = true
                state.budgets[id] = budget
                return (.queueFull, false)
            }
            budget.queued += bytes.count
            state.budgets[id] = budget
            state.commands.append(.send(id, bytes))
            return (.queued, state.requestWake(onLoopThread: onLoop))
        }
        if wake { Poller.wake(shared.wakeFD) }
        return result
    }

    /// Closes `id`: frames already queued are flushed (bounded by `closeLinger`), then TLS
    /// close_notify. The delegate gets `connectionClosed(id, reason:)` with this reason, unless the
    /// connection had already ended for another.
    public func close(_ id: ConnectionID, reason: CloseReason) {
        shared.submit(.close(id, reason: reason))
    }

    /// Calls the delegate's `timerFired(token)` on the loop thread after `delay` — for the node's
    /// periodic work (anti-entropy rounds, pings, redials after backoff).
    @discardableResult
    public func schedule(after delay: Duration, token: UInt64) -> TimerID {
        let timer = TimerID(rawValue: shared.allocateID())
        shared.submit(.schedule(timer, token: token, after: delay))
        return timer
    }

    /// Runs `job` on the loop thread, in order with the other commands submitted before and after it,
    /// before the loop next waits for I/O (NIO's `EventLoop.execute`). A hand-off without a timer: no
    /// heap entry and no extra `epoll_wait`; from another thread it costs the queue's lock and at most
    /// one eventfd write per batch, from the loop thread neither. Returns false (and never runs `job`)
    /// once the loop is stopping or stopped.
    @discardableResult
    public func execute(_ job: @escaping @Sendable () -> Void) -> Bool {
        shared.submit(.execute(job))
    }

    /// Cancels a timer that has not fired yet (nothing happens if it has).
    public func cancel(_ timer: TimerID) {
        shared.submit(.cancel(timer))
    }

    /// Stops the loop: every connection is closed (close_notify when the socket takes it at once)
    /// and reported with `connectionClosed` / `connectionRefused`, listeners are closed, the thread
    /// ends and is joined, the epoll and eventfd descriptors are closed and the delegate released.
    /// Idempotent. Must not be called from a delegate method (that thread cannot join itself; there,
    /// the loop is stopped and the thread ends on its own once the method returns).
    public func shutdown() {
        let previous = shared.state.withLock { state -> LoopPhase in
            let phase = state.phase
            if phase == .running { state.phase = .stopping }
            if phase == .created { state.phase = .stopped }
            return phase
        }
        switch previous {
        case .created:
            core.teardown()   // never started: this caller is the only one touching the core
            core.poller.close()
        case .running:
            Poller.wake(shared.wakeFD)
            guard let handle = thread.withLock({ handle -> pthread_t? in defer { handle = nil }; return handle }) else { return }
            if shared.onLoopThread {
                // Called from a delegate method: the thread ends after it returns, closes its own
                // epoll and eventfd descriptors, and nobody joins it.
                shared.closePollerOnExit.store(true, ordering: .releasing)
                pthread_detach(handle)
                return
            }
            pthread_join(handle, nil)
            core.poller.close()
        case .stopping, .stopped:
            return
        }
    }

    /// Whether the caller runs on this loop's thread — inside a delegate method, a `ByteStreamDelegate`
    /// method or a timer's `timerFired`. False before `start` and after the loop ended.
    public var isOnLoopThread: Bool { shared.onLoopThread }

    /// Stops the program in debug builds (and so in tests) when called off this loop's thread: put it
    /// where state confined to the loop is touched (NIO's `assertInEventLoop`). Compiled out of
    /// release builds; use `preconditionOnLoop` to keep the check there too.
    public func assertOnLoop(file: StaticString = #fileID, line: UInt = #line) {
        assert(shared.onLoopThread, "not on the network loop's thread: this state belongs to the loop (call from a delegate method)", file: file, line: line)
    }

    /// Stops the program, in every build, when called off this loop's thread.
    public func preconditionOnLoop(file: StaticString = #fileID, line: UInt = #line) {
        precondition(shared.onLoopThread, "not on the network loop's thread: this state belongs to the loop (call from a delegate method)", file: file, line: line)
    }

    /// The kernel thread id of the loop thread, once it ran (tests check `/proc/self/task/<tid>`).
    var loopThreadTID: Int32 { shared.loopThreadTID.load(ordering: .relaxed) }
}
