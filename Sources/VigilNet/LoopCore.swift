import Glibc
import VigilCrypto
import VigilModel
import VigilSync

/// The loop thread's side of a `NetworkLoop`: the epoll loop and every connection, listener and timer.
/// Plain byte streams (the node's local API, the web desk) are served by the same loop; their part is
/// in `LoopCore+Streams.swift`.
///
/// Thread confinement: after `NetworkLoop.start` every member is touched only on the loop thread
/// (before `start`, and after the thread was joined, only by the single caller of `NetworkLoop`
/// that owns it). That is what the `@unchecked Sendable` stands for: it crosses to the thread once.
final class LoopCore: @unchecked Sendable {
    enum TimerEntry {
        case connection(ConnectionID, generation: UInt64)
        case user(TimerID)
        case resumeListener(UInt64)
        case stream(StreamID, generation: UInt64)
        case resumeStreamListener(UInt64)
    }

    private struct ListenerRecord {
        let listener: Listener
        let fd: Int32
        var paused = false
    }

    /// Reads per connection per wake-up, so one busy peer cannot starve the others.
    static let readsPerWake = 4
    /// Accepts per listener per wake-up.
    static let acceptsPerWake = 64
    /// How long a listener rests after running out of descriptors.
    static let acceptPause: UInt64 = 100_000_000

    let configuration: NetworkConfiguration
    let shared: LoopShared
    let poller: Poller
    var delegate: (any NetworkLoopDelegate)?

    private var connections: [ConnectionID: Connection] = [:]
    private var listeners: [UInt64: ListenerRecord] = [:]
    var timers = DeadlineHeap<TimerEntry>()
    private var userTimers: [TimerID: UInt64] = [:]
    private var dirty: Set<ConnectionID> = []
    var streams: [StreamID: StreamConnection] = [:]
    var streamListeners: [UInt64: StreamListenerRecord] = [:]
    var dirtyStreams: Set<StreamID> = []
    var now: UInt64 = 0
    let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)

    init(configuration: NetworkConfiguration, shared: LoopShared, poller: Poller) {
        self.configuration = configuration
        self.shared = shared
        self.poller = poller
    }

    deinit { readBuffer.deallocate() }

    // MARK: - The loop

    /// Runs until `shutdown`, then closes every connection and listener. Called on the loop thread.
    func run() {
        shared.loopThread.store(UInt(pthread_self()), ordering: .releasing)
        shared.loopThreadTID.store(LinuxCalls.gettid(), ordering: .relaxed)
        _ = LinuxCalls.setThreadName(pthread_self(), "vigil-net")
        now = Self.monotonicNow()
        while settle() {
            poller.wait(timeout: waitTimeout()) { token, events in
                handle(token: token, events: events)
            }
            now = Self.monotonicNow()
            fireDueTimers()
        }
        teardown()
        shared.loopThread.store(0, ordering: .releasing)
    }

    /// Carries out queued commands and flushes what they produced, until nothing is left (delegate
    /// callbacks may queue more). Returns false once shutdown was requested.
    private func settle() -> Bool {
        while true {
            let (commands, stopping) = shared.state.withLock { state in
                let taken = state.commands
                state.commands = []
                state.wakePending = false
                return (taken, state.phase == .stopping || state.phase == .stopped)
            }
            if stopping { return false }
            if commands.isEmpty && dirty.isEmpty && dirtyStreams.isEmpty { return true }
            for command in commands { execute(command) }
            flushDirty()
        }
    }

    /// Milliseconds until the earliest live timer (rounded up), or -1 to wait for I/O only. Entries
    /// made stale by cancellation or a phase change are dropped first, so they cost no wake-up.
    private func waitTimeout() -> Int32 {
        while let (entry, _) = timers.first, isStale(entry) { timers.removeFirst() }
        guard let next = timers.nextDeadline else { return -1 }
        guard next > now else { return 0 }
        let ms = (next - now + 999_999) / 1_000_000
        return Int32(min(ms, UInt64(Int32.max)))
    }

    private func handle(token: UInt64, events: UInt32) {
        if token == Poller.wakeToken {
            poller.acknowledgeWake()
        } else if let connection = connections[ConnectionID(rawValue: token)] {
            handle(connection, events: events)
        } else if let stream = streams[StreamID(rawValue: token)] {
            handle(stream, events: events)
        } else if listeners[token] != nil {
            accept(on: token)
        } else if streamListeners[token] != nil {
            acceptStreams(on: token)
        }
    }

    private func handle(_ connection: Connection, events: UInt32) {
        if connection.phase == .connecting {
            if events & (LinuxCalls.EPOLLOUT | LinuxCalls.EPOLLERR | LinuxCalls.EPOLLHUP) != 0 { finishConnect(connection) }
            return
        }
        if events & (LinuxCalls.EPOLLIN | LinuxCalls.EPOLLERR | LinuxCalls.EPOLLHUP) != 0 {
            readAvailable(connection)
        }
        if events & LinuxCalls.EPOLLOUT != 0, connections[connection.id] != nil {
            flush(connection)
        }
    }

    // MARK: - Commands

    private func execute(_ command: Command) {
        switch command {
        case .listen(let listener, let fd):
            do {
                try poller.add(fd, token: listener.id, events: LinuxCalls.EPOLLIN)
                listeners[listener.id] = ListenerRecord(listener: listener, fd: fd)
            } catch {
                close(fd)
                delegate?.connectionRefused(remote: listener.address, reason: CloseReason(.localFailure, "cannot serve \(listener): \(error)"))
            }
        case .stopListening(let id):
            if let record = listeners.removeValue(forKey: id) {
                if !record.paused { poller.remove(record.fd) }
                close(record.fd)
            }
        case .dial(let id, let remote, let addresses, let expectedPeer):
            startDial(id, remote: remote, addresses: addresses, expectedPeer: expectedPeer)
        case .resolved(let id, let result):
            guard let connection = connections[id], connection.phase == .resolving else { return }
            switch result {
            case .success(let addresses):
                connection.addresses = addresses
                connectNextAddress(connection)
            case .failure(let error):
                end(connection, reason: CloseReason(.connectFailed, "cannot dial \(connection.remote): \(error.message)"), linger: false)
            }
        case .send(let id, let bytes):
            guard let connection = connections[id], connection.phase != .closing else { return }
            connection.channel.enqueue(bytes)
            if connection.phase == .established { dirty.insert(id) }
        case .close(let id, let reason):
            guard let connection = connections[id], connection.phase != .closing else { return }
            connection.channel.close(flush: true)
            end(connection, reason: reason, linger: true)
        case .schedule(let timer, let token, let delay):
            userTimers[timer] = token
            timers.push(.user(timer), at: now &+ delay.nanosecondsClamped)
        case .cancel(let timer):
            userTimers.removeValue(forKey: timer)
        case .execute(let job):
            job()
        case .listenStream, .stopStreamListening, .sendStream, .closeStream, .setStreamIdleTimeout, .setStreamReading:
            executeStreamCommand(command)
        }
    }

    // MARK: - Dialling

    private func startDial(_ id: ConnectionID, remote: String, addresses: [SocketAddress]?, expectedPeer: PublicKey?) {
        let channel: Channel
        do {
            channel = try Channel(context: configuration.tls, isClient: true, maxFrameLength: configuration.maxFrameLength,
                                  encryptChunk: configuration.encryptChunk)
        } catch {
            releaseBudget(of: id)
            delegate?.connectionClosed(id, reason: CloseReason(.localFailure, "cannot start a TLS session for \(remote): \(error)"))
            return
        }
        let connection = Connection(id: id, inbound: false, remote: remote, expectedPeer: expectedPeer,
                                    channel: channel, phase: addresses == nil ? .resolving : .connecting)
        connections[id] = connection
        arm(connection, at: now &+ configuration.connectTimeout.nanosecondsClamped)
        if let addresses {
            connection.addresses = addresses
            connectNextAddress(connection)
        }
    }

    /// Tries the dial addresses in turn until one connects or starts connecting.
    private func connectNextAddress(_ connection: Connection) {
        connection.phase = .connecting
        while connection.nextAddress < connection.addresses.count {
            let address = connection.addresses[connection.nextAddress]
            connection.nextAddress += 1
            switch Sockets.connect(to: address) {
            case .connected(let fd):
                guard register(connection, fd: fd) else { return }
                beginHandshake(connection)
                return
            case .inProgress(let fd):
                guard register(connection, fd: fd) else { return }
                setInterest(connection, LinuxCalls.EPOLLOUT)
                return
            case .failed(let reason):
                connection.lastConnectError = "\(address): \(reason)"
            }
        }
        end(connection, reason: CloseReason(.connectFailed, "cannot connect to \(connection.remote): \(connection.lastConnectError ?? "no address to try")"), linger: false)
    }

    private func finishConnect(_ connection: Connection) {
        let code = Sockets.connectError(connection.fd)
        guard code == 0 else {
            let address = connection.addresses[connection.nextAddress - 1]
            connection.lastConnectError = "\(address): \(errnoDescription(code))"
            unregister(connection)
            connectNextAddress(connection)
            return
        }
        beginHandshake(connection)
    }

    // MARK: - Accepting

    private func accept(on listenerID: UInt64) {
        guard let record = listeners[listenerID] else { return }
        for _ in 0..<Self.acceptsPerWake {
            switch Sockets.accept(record.fd) {
            case .wouldBlock:
                return
            case .accepted(let fd, let address):
                let remote = address?.description ?? "an unknown address"
                let channel: Channel
                do {
                    channel = try Channel(context: configuration.tls, isClient: false, maxFrameLength: configuration.maxFrameLength,
                                          encryptChunk: configuration.encryptChunk)
                } catch {
                    close(fd)
                    delegate?.connectionRefused(remote: remote, reason: CloseReason(.localFailure, "cannot start a TLS session: \(error)"))
                    continue
                }
                let id = ConnectionID(rawValue: shared.allocateID())
                let connection = Connection(id: id, inbound: true, remote: remote, expectedPeer: nil, channel: channel, phase: .handshaking)
                connections[id] = connection
                guard register(connection, fd: fd) else { continue }
                beginHandshake(connection)
            case .failed(let code):
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Level-triggered epoll would report the pending connection forever: rest a moment.
                    poller.remove(record.fd)
                    listeners[listenerID]?.paused = true
                    timers.push(.resumeListener(listenerID), at: now &+ Self.acceptPause)
                    delegate?.connectionRefused(remote: record.listener.address,
                                                reason: CloseReason(.localFailure, "cannot accept a connection: \(errnoDescription(code)); raise the open-file limit (ulimit -n) or serve fewer peers"))
                    return
                }
                // ECONNABORTED and the like: that one connection is gone; keep accepting.
            }
        }
    }

    // MARK: - Connection lifecycle

    /// Watches `fd` for `connection`. On failure, ends the connection and returns false.
    private func register(_ connection: Connection, fd: Int32) -> Bool {
        connection.fd = fd
        if let unsent = configuration.unsentLowWater { Sockets.setUnsentLowWater(fd, unsent) }
        connection.interest = LinuxCalls.EPOLLIN
        do {
            try poller.add(fd, token: connection.id.rawValue, events: LinuxCalls.EPOLLIN)
            return true
        } catch {
            end(connection, reason: CloseReason(.localFailure, "cannot watch the socket of \(connection.remote): \(error)"), linger: false)
            return false
        }
    }

    private func unregister(_ connection: Connection) {
        guard connection.fd >= 0 else { return }
        poller.remove(connection.fd)
        close(connection.fd)
        connection.fd = -1
        connection.interest = 0
    }

    private func beginHandshake(_ connection: Connection) {
        connection.phase = .handshaking
        connection.lastReceived = now
        setInterest(connection, LinuxCalls.EPOLLIN)
        arm(connection, at: now &+ configuration.handshakeTimeout.nanosecondsClamped)
        act(on: connection.channel.start(), for: connection)
        flush(connection)
    }

    private func readAvailable(_ connection: Connection) {
        for _ in 0..<Self.readsPerWake {
            guard connection.fd >= 0 else { return }
            switch Sockets.read(connection.fd, into: readBuffer) {
            case .wouldBlock:
                return
            case .bytes(let count):
                connection.lastReceived = now
                guard connection.phase != .closing else { continue }   // drained so that close sends no RST
                act(on: connection.channel.receive(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])), for: connection)
                if connections[connection.id] == nil { return }
                if !connection.channel.outbound.isEmpty { flush(connection) }
                // Read on after a short read (unlike a local stream): while a peer streams entries, what
                // arrives during the work on one read is taken in the same turn, in larger pieces. Ending
                // the turn at the first short read cost part 1 of bench-sync (catch-up) about 9 %.
            case .endOfStream:
                connection.channel.abandon()
                let reason = switch connection.phase {
                case .handshaking: "the peer closed the TCP connection during the TLS handshake"
                default: "the peer closed the TCP connection without a TLS close_notify"
                }
                end(connection, reason: CloseReason(.transportError, reason), linger: false)
                return
            case .failed(let code):
                connection.channel.abandon()
                end(connection, reason: CloseReason(.transportError, "cannot read from the peer: \(errnoDescription(code))"), linger: false)
                return
            }
        }
    }

    /// Carries out what the channel reported.
    private func act(on events: [Channel.Event], for connection: Connection) {
        for event in events {
            switch event {
            case .handshakeCompleted(let key, let name):
                admit(connection, key: key, name: name)
            case .frames(let frames):
                if connection.phase == .established { delegate?.framesReceived(connection.id, frames) }
            case .failed(let reason):
                end(connection, reason: reason, linger: true)
            case .peerClosed:
                end(connection, reason: CloseReason(.peerClosed, "the peer closed the session (TLS close_notify)"), linger: true)
            }
        }
    }

    private func admit(_ connection: Connection, key: PublicKey, name: String?) {
        let who = "node \(NodeID(key).fingerprint)" + (name.map { " (\"\($0)\")" } ?? "")
        if let expected = connection.expectedPeer, expected != key {
            connection.channel.close(flush: false)
            end(connection, reason: CloseReason(.wrongPeer, "\(connection.remote) presented the certificate of \(who), but node \(NodeID(expected).fingerprint) was expected there; check the peer's address and key in the configuration"), linger: true)
            return
        }
        let decision = delegate?.admit(peerKey: key, peerName: name, inbound: connection.inbound, remote: connection.remote) ?? .refuse(reason: CloseReason(.shutdown, "the loop is shutting down"))
        if case .refuse(let reason) = decision {
            connection.channel.close(flush: false)
            end(connection, reason: reason.prefixed("\(who) was refused: "), linger: true)
            return
        }
        connection.phase = .established
        connection.announced = true
        arm(connection, idleFrom: now)
        if connection.inbound {
            shared.state.withLock { state in state.budgets[connection.id] = SendBudget() }
        }
        delegate?.connectionEstablished(connection.id, peerKey: key, peerName: name, inbound: connection.inbound)
        guard connections[connection.id] != nil, connection.phase == .established else { return }
        act(on: connection.channel.admit(), for: connection)
        if connections[connection.id] != nil { dirty.insert(connection.id) }
    }

    /// Reports `connection` closed for `reason` (once), then closes its socket — at once, or with
    /// `linger` after the close_notify or alert waiting in its channel went out (bounded by
    /// `closeLinger`).
    private func end(_ connection: Connection, reason: CloseReason, linger: Bool) {
        report(connection, reason: reason)
        guard connections[connection.id] != nil else { return }
        if linger && connection.fd >= 0 && !connection.channel.outbound.isEmpty && configuration.closeLinger > .zero {
            connection.phase = .closing
            arm(connection, at: now &+ configuration.closeLinger.nanosecondsClamped)
            flush(connection)
        } else {
            finish(connection)
        }
    }

    private func report(_ connection: Connection, reason: CloseReason) {
        guard !connection.reported else { return }
        connection.reported = true
        releaseBudget(of: connection.id)
        if connection.announced || !connection.inbound {
            delegate?.connectionClosed(connection.id, reason: reason)
        } else {
            delegate?.connectionRefused(remote: connection.remote, reason: reason)
        }
    }

    private func finish(_ connection: Connection) {
        unregister(connection)
        connection.channel.abandon()
        connections.removeValue(forKey: connection.id)
        dirty.remove(connection.id)
    }

    private func releaseBudget(of id: ConnectionID) {
        _ = shared.state.withLock { state in state.budgets.removeValue(forKey: id) }
    }

    // MARK: - Writing

    private func flushDirty() {
        let ids = dirty
        dirty = []
        for id in ids {
            if let connection = connections[id] { flush(connection) }
        }
        flushDirtyStreams()
    }

    /// Encrypts queued frames and writes ciphertext until the socket is full or nothing is left;
    /// asks epoll for writability only while something is left.
    private func flush(_ connection: Connection) {
        guard connection.fd >= 0, connection.phase != .connecting else { return }
        writing: while true {
            if connection.phase == .established && connection.channel.pendingBytes > 0
                && connection.channel.outbound.count < configuration.ciphertextHighWater {
                switch connection.channel.encryptPending(outboundLimit: configuration.ciphertextHighWater) {
                case .success(let released):
                    if released > 0 { consumeBudget(of: connection.id, released) }
                case .failure(let failure):
                    end(connection, reason: failure.reason, linger: true)
                    return
                }
            }
            if connection.channel.outbound.isEmpty { break writing }
            let wanted = connection.channel.outbound.count
            switch connection.channel.outbound.withReadableBytes({ Sockets.write(connection.fd, $0) }) {
            case .failure(let error):
                connection.channel.abandon()
                end(connection, reason: CloseReason(.transportError, "cannot write to the peer: \(error.description)"), linger: false)
                return
            case .success(let count):
                connection.channel.outbound.consume(count)
                if count < wanted { break writing }   // the socket is full: wait for EPOLLOUT
            }
        }
        if connection.phase == .closing && connection.channel.outbound.isEmpty {
            finish(connection)
            return
        }
        let wantsOutput = !connection.channel.outbound.isEmpty
        setInterest(connection, LinuxCalls.EPOLLIN | (wantsOutput ? LinuxCalls.EPOLLOUT : 0))
    }

    /// Takes `count` bytes off a connection's send budget; delivers `writable` at the low-water mark.
    private func consumeBudget(of id: ConnectionID, _ count: Int) {
        let lowWater = configuration.effectiveLowWater
        let notify = shared.state.withLock { state -> Bool in
            guard var budget = state.budgets[id] else { return false }
            budget.queued -= count
            var notify = false
            if budget.blocked && budget.queued <= lowWater {
                budget.blocked = false
                notify = true
            }
            state.budgets[id] = budget
            return notify
        }
        if notify { delegate?.writable(id) }
    }

    private func setInterest(_ connection: Connection, _ mask: UInt32) {
        guard connection.fd >= 0, connection.interest != mask else { return }
        connection.interest = mask
        poller.modify(connection.fd, token: connection.id.rawValue, events: mask)
    }

    // MARK: - Timers

    private func arm(_ connection: Connection, at deadline: UInt64) {
        connection.timerGeneration &+= 1
        timers.push(.connection(connection.id, generation: connection.timerGeneration), at: deadline)
    }

    private func arm(_ connection: Connection, idleFrom start: UInt64) {
        connection.timerGeneration &+= 1   // the handshake deadline no longer applies
        guard let idle = configuration.idleTimeout else { return }
        arm(connection, at: start &+ idle.nanosecondsClamped)
    }

    private func isStale(_ entry: TimerEntry) -> Bool {
        switch entry {
        case .user(let timer): userTimers[timer] == nil
        case .resumeListener(let id): listeners[id]?.paused != true
        case .connection(let id, let generation): connections[id]?.timerGeneration != generation
        case .resumeStreamListener(let id): streamListeners[id]?.paused != true
        case .stream(let id, let generation): streams[id]?.timerGeneration != generation
        }
    }

    private func fireDueTimers() {
        while let (entry, _) = timers.popDue(now: now) {
            switch entry {
            case .user(let timer):
                if let token = userTimers.removeValue(forKey: timer) { delegate?.timerFired(token) }
            case .resumeListener(let id):
                guard var record = listeners[id], record.paused else { continue }
                record.paused = false
                listeners[id] = record
                try? poller.add(record.fd, token: id, events: LinuxCalls.EPOLLIN)
            case .connection(let id, let generation):
                guard let connection = connections[id], connection.timerGeneration == generation else { continue }
                timerExpired(connection)
            case .resumeStreamListener(let id):
                resumeStreamListener(id)
            case .stream(let id, let generation):
                guard let stream = streams[id], stream.timerGeneration == generation else { continue }
                streamTimerExpired(stream)
            }
        }
    }

    private func timerExpired(_ connection: Connection) {
        switch connection.phase {
        case .resolving, .connecting:
            end(connection, reason: CloseReason(.connectFailed, "cannot connect to \(connection.remote) within \(configuration.connectTimeout.spoken)"
                + (connection.lastConnectError.map { " (last error: \($0))" } ?? "")), linger: false)
        case .handshaking:
            connection.channel.close(flush: false)
            end(connection, reason: CloseReason(.handshakeTimeout, "the TLS handshake with \(connection.remote) did not complete within \(configuration.handshakeTimeout.spoken)"), linger: false)
        case .established:
            guard let idle = configuration.idleTimeout else { return }
            let due = connection.lastReceived &+ idle.nanosecondsClamped
            if due > now {
                arm(connection, at: due)
            } else {
                connection.channel.close(flush: false)
                end(connection, reason: CloseReason(.idleTimeout, "nothing was received from the peer for \(idle.spoken) (idle timeout)"), linger: true)
            }
        case .closing:
            finish(connection)
        }
    }

    // MARK: - Shutdown

    /// Closes everything: each connection gets its close_notify written if the socket takes it at
    /// once, and one report; listeners are closed; commands still queued are dropped (a queued
    /// listener's socket is closed, a queued dial is reported closed). Runs on the loop thread as
    /// it ends, or on the caller of `shutdown` when the loop never started.
    func teardown() {
        let reason = CloseReason(.shutdown, "the network loop was shut down")
        let leftover = shared.state.withLock { state -> [Command] in
            state.phase = .stopped
            let commands = state.commands
            state.commands = []
            return commands
        }
        for command in leftover {
            switch command {
            case .listen(_, let fd): close(fd)
            case .dial(let id, _, _, _): delegate?.connectionClosed(id, reason: reason)
            case .listenStream(let listener, let fd, _, _): closeStreamListenerSocket(listener, fd: fd)
            default: break
            }
        }
        teardownStreams()
        for connection in connections.values.sorted(by: { $0.id < $1.id }) {
            if connection.fd >= 0 && connection.phase != .closing {
                connection.channel.close(flush: false)
                if !connection.channel.outbound.isEmpty {
                    _ = connection.channel.outbound.withReadableBytes { Sockets.write(connection.fd, $0) }
                }
            }
            report(connection, reason: reason)
            finish(connection)
        }
        connections.removeAll()
        for record in listeners.values {
            if !record.paused { poller.remove(record.fd) }
            close(record.fd)
        }
        listeners.removeAll()
        timers.removeAll()
        userTimers.removeAll()
        dirty.removeAll()
        shared.state.withLock { state in state.budgets.removeAll() }
        delegate = nil
    }

    static func monotonicNow() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
