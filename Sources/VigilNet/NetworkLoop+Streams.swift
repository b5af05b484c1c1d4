import Glibc

/// Plain byte-stream endpoints served by the same loop thread as the peers: the node's local API on
/// a Unix socket, the web desk over TCP on loopback. No TLS and no framing: bytes in, bytes out; the
/// owner (a `ByteStreamDelegate`, called on the loop thread) does its own framing.
///
/// Every method here is thread-safe and never blocks on I/O, like the peer API: it queues a command
/// for the loop. `listenStream` binds in the caller's thread, so a taken path or port throws there.
extension NetworkLoop {
    /// Listens for stream clients on the Unix socket file `path`, created with exactly the permission
    /// bits `mode` (default 0600: only this user) and never more open than that, even for a moment.
    ///
    /// If a socket file is already at `path`: when a server answers on it, this throws (`.bind`,
    /// "another server is already listening there"); when none does (a process that did not stop
    /// cleanly), the stale file is replaced. Anything else at `path` is left alone and this throws.
    /// The file is removed by `stopListening` and by `shutdown` (only if it is still this listener's).
    /// Clients are accepted once the loop runs; `delegate` hears about them on the loop thread and is
    /// kept until the listener's last stream is closed.
    public func listenStream(unixPath path: String, mode: mode_t = 0o600, options: StreamListenerOptions = StreamListenerOptions(),
                             delegate: any ByteStreamDelegate) throws(NetworkError) -> StreamListener {
        try options.validate()
        guard mode & ~0o777 == 0 else {
            throw NetworkError(.configuration, "the socket file mode must be permission bits within 0o777, got 0o\(String(mode, radix: 8))")
        }
        try checkTakingWork()
        let (fd, file) = try UnixSocket.listen(path: path, mode: mode, backlog: options.backlog)
        let listener = StreamListener(id: shared.allocateID(), address: path, port: nil, path: path, file: file)
        guard shared.submit(.listenStream(listener, fd: fd, options: options, delegate: delegate)) else {
            Glibc.close(fd)
            UnixSocket.removeIfOurs(path: path, file: file)
            throw NetworkError(.stopped, "the network loop is shut down; it listens no more")
        }
        return listener
    }

    /// Listens for stream clients over TCP on `host:port`: a numeric loopback address (`127.0.0.1`,
    /// `::1`; no name is resolved, and any other address is refused — these bytes are not encrypted),
    /// port 0 to let the kernel choose (the returned listener has the port), with SO_REUSEADDR. Binds
    /// synchronously, so a taken port throws here (`.bind`).
    public func listenStream(host: String, port: UInt16, options: StreamListenerOptions = StreamListenerOptions(),
                             delegate: any ByteStreamDelegate) throws(NetworkError) -> StreamListener {
        try options.validate()
        guard let address = SocketAddress(numericHost: host, port: port) else {
            throw NetworkError(.address, "\"\(host)\" is not a numeric address; give one such as 127.0.0.1 or ::1 (a stream listener resolves no names)")
        }
        guard address.isLoopback else {
            throw NetworkError(.address, "\(host) is not a loopback address; a plain-text stream listener serves this machine only: use 127.0.0.1 or ::1")
        }
        try checkTakingWork()
        let (fd, bound) = try Sockets.listen(on: address, backlog: options.backlog)
        let listener = StreamListener(id: shared.allocateID(), address: bound.description, port: bound.port, path: nil, file: nil)
        guard shared.submit(.listenStream(listener, fd: fd, options: options, delegate: delegate)) else {
            Glibc.close(fd)
            throw NetworkError(.stopped, "the network loop is shut down; it listens no more")
        }
        return listener
    }

    /// Stops accepting on `listener`: a Unix socket file is removed at once (in the caller's thread,
    /// so the path may be listened on again right away), the socket is closed by the loop. Streams
    /// already accepted stay open.
    public func stopListening(_ listener: StreamListener) {
        if let path = listener.path, let file = listener.file { UnixSocket.removeIfOurs(path: path, file: file) }
        shared.submit(.stopStreamListening(listener.id))
    }

    /// Queues `bytes` on stream `id`, or reports back-pressure: `.queueFull` when the stream already
    /// holds its listener's `sendQueueLimit` of bytes not yet written to the socket (the bytes are not
    /// queued; wait for `streamWritable`). Bytes are always accepted into an empty queue. Never blocks
    /// on the network; bytes on one stream go out in `sendStream` order. `.closed` once the stream
    /// was reported closed (or `closeStream` was carried out). Never `.frameTooLarge`.
    public func sendStream(_ bytes: [UInt8], on id: StreamID) -> SendResult {
        let onLoop = shared.onLoopThread
        let (result, wake) = shared.state.withLock { state -> (SendResult, Bool) in
            guard state.phase == .created || state.phase == .running, var budget = state.streamBudgets[id] else { return (.closed, false) }
            if bytes.isEmpty { return (.queued, false) }
            if budget.queued > 0 && budget.queued + bytes.count > budget.limit {
                budget.blocked = true
                state.streamBudgets[id] = budget
                return (.queueFull, false)
            }
            budget.queued += bytes.count
            state.streamBudgets[id] = budget
            state.commands.append(.sendStream(id, bytes))
            return (.queued, state.requestWake(onLoopThread: onLoop))
        }
        if wake { Poller.wake(shared.wakeFD) }
        return result
    }

    /// Closes stream `id`. With `afterFlush` (the default), the bytes already queued are written first
    /// (an HTTP response, a last JSON error line) — bounded by the listener's `closeLinger` — then the
    /// socket is closed; without it, at once, dropping them. `streamClosed(id, .closedByOwner(reason))`
    /// is delivered when the loop carries this out, unless the stream had already ended for another
    /// reason. Bytes given to `sendStream` after this call are dropped (until the close is carried out
    /// it may still answer `.queued`).
    public func closeStream(_ id: StreamID, reason: String, afterFlush: Bool = true) {
        shared.submit(.closeStream(id, reason: reason, afterFlush: afterFlush))
    }

    /// Sets stream `id`'s idle timeout, counted from now and from every later read or write: nil or
    /// zero disarms it (a `follow` client that may stay silent for hours, a request whose answer takes
    /// long); a duration arms it (a request must arrive within this). Overrides the listener's
    /// `idleTimeout` for this stream.
    public func setStreamIdleTimeout(_ id: StreamID, _ timeout: Duration?) {
        shared.submit(.setStreamIdleTimeout(id, timeout))
    }

    /// Pauses (or resumes) reading from stream `id`: while paused, bytes the client sends stay in the
    /// kernel, and a client that keeps sending is slowed down by TCP or the Unix socket's buffer.
    /// Use it with `.queueFull`: stop reading requests from a client that does not read its answers,
    /// resume on `streamWritable`. A client that hangs up while paused is still reported.
    public func setStreamReading(_ id: StreamID, paused: Bool) {
        shared.submit(.setStreamReading(id, paused: paused))
    }

    /// Throws unless the loop still takes work (before binding anything).
    private func checkTakingWork() throws(NetworkError) {
        let open = shared.state.withLock { $0.phase == .created || $0.phase == .running }
        guard open else { throw NetworkError(.stopped, "the network loop is shut down; it listens no more") }
    }
}
