import Glibc

/// A listening stream socket as the loop thread keeps it.
struct StreamListenerRecord {
    let listener: StreamListener
    let fd: Int32
    let options: StreamListenerOptions
    let delegate: any ByteStreamDelegate
    /// Out of epoll for a moment after running out of descriptors.
    var paused = false
    /// Streams of this listener that still hold a descriptor (closing ones included).
    var open = 0
}

/// The loop thread's part for plain byte streams: accepting, reading, writing, idle and linger
/// deadlines, closing. Same rules as for peer connections: level-triggered epoll, caps per wake-up,
/// one shared read buffer, a byte budget per stream decided in the sender's thread.
extension LoopCore {
    // MARK: - Commands

    func executeStreamCommand(_ command: Command) {
        switch command {
        case .listenStream(let listener, let fd, let options, let delegate):
            do {
                try poller.add(fd, token: listener.id, events: LinuxCalls.EPOLLIN)
                streamListeners[listener.id] = StreamListenerRecord(listener: listener, fd: fd, options: options, delegate: delegate)
            } catch {
                closeStreamListenerSocket(listener, fd: fd)
                delegate.streamRefused(on: listener, remote: listener.address, reason: .cannotWatch(error.message))
            }
        case .stopStreamListening(let id):
            if let record = streamListeners.removeValue(forKey: id) {
                if !record.paused { poller.remove(record.fd) }
                close(record.fd)   // its socket file was removed by `stopListening`, in the caller's thread
            }
        case .sendStream(let id, let bytes):
            guard let stream = streams[id], !stream.closing else { return }
            stream.outbound.append(bytes)
            dirtyStreams.insert(id)
        case .closeStream(let id, let reason, let afterFlush):
            guard let stream = streams[id], !stream.closing else { return }
            endStream(stream, .closedByOwner(reason), flush: afterFlush)
        case .setStreamIdleTimeout(let id, let timeout):
            guard let stream = streams[id], !stream.closing else { return }
            stream.idleTimeout = timeout.flatMap { $0 > .zero ? $0 : nil }
            stream.lastActivity = now
            armIdle(stream)
        case .setStreamReading(let id, let paused):
            guard let stream = streams[id], !stream.closing else { return }
            stream.readingPaused = paused
            updateInterest(stream)
        default:
            break
        }
    }

    // MARK: - Accepting

    func acceptStreams(on listenerID: UInt64) {
        guard let record = streamListeners[listenerID] else { return }
        for _ in 0..<Self.acceptsPerWake {
            switch Sockets.accept(record.fd) {
            case .wouldBlock:
                return
            case .accepted(let fd, let address):
                let remote = record.listener.path != nil ? UnixSocket.peerDescription(fd) : address?.description ?? "an unknown address"
                guard let open = streamListeners[listenerID]?.open, open < record.options.maxClients else {
                    close(fd)
                    record.delegate.streamRefused(on: record.listener, remote: remote, reason: .tooManyClients(limit: record.options.maxClients))
                    continue
                }
                let id = StreamID(rawValue: shared.allocateID())
                do {
                    try poller.add(fd, token: id.rawValue, events: LinuxCalls.EPOLLIN)
                } catch {
                    close(fd)
                    record.delegate.streamRefused(on: record.listener, remote: remote, reason: .cannotWatch(error.message))
                    continue
                }
                let stream = StreamConnection(id: id, listener: record.listener, delegate: record.delegate, remote: remote,
                                              fd: fd, options: record.options, now: now)
                stream.interest = LinuxCalls.EPOLLIN
                streams[id] = stream
                streamListeners[listenerID]?.open += 1
                shared.state.withLock { state in
                    state.streamBudgets[id] = StreamBudget(limit: record.options.sendQueueLimit, lowWater: record.options.effectiveLowWater)
                }
                armIdle(stream)
                record.delegate.streamAccepted(id, on: record.listener, remote: remote)
            case .failed(let code):
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    // Level-triggered epoll would report the pending client forever: rest a moment.
                    poller.remove(record.fd)
                    streamListeners[listenerID]?.paused = true
                    timers.push(.resumeStreamListener(listenerID), at: now &+ Self.acceptPause)
                    record.delegate.streamRefused(on: record.listener, remote: record.listener.address,
                                                  reason: .outOfResources(errnoDescription(code)))
                    return
                }
                // ECONNABORTED and the like: that one client is gone; keep accepting.
            }
        }
    }

    func resumeStreamListener(_ id: UInt64) {
        guard var record = streamListeners[id], record.paused else { return }
        record.paused = false
        streamListeners[id] = record
        try? poller.add(record.fd, token: id, events: LinuxCalls.EPOLLIN)
    }

    /// Closes a listening stream socket and removes its socket file if it is still the one it made.
    func closeStreamListenerSocket(_ listener: StreamListener, fd: Int32) {
        close(fd)
        if let path = listener.path, let file = listener.file { UnixSocket.removeIfOurs(path: path, file: file) }
    }

    // MARK: - Reading

    func handle(_ stream: StreamConnection, events: UInt32) {
        let hangUp = events & (LinuxCalls.EPOLLERR | LinuxCalls.EPOLLHUP) != 0
        if stream.reads && events & (LinuxCalls.EPOLLIN | LinuxCalls.EPOLLERR | LinuxCalls.EPOLLHUP) != 0 {
            let drained = readStream(stream, hangUp: hangUp)
            if drained && hangUp && streams[stream.id] === stream { clientGone(stream) }
        } else if hangUp {
            // Not reading (input ended or paused): nothing else would ever clear this event.
            clientGone(stream)
        }
        if events & LinuxCalls.EPOLLOUT != 0, streams[stream.id] === stream {
            flushStream(stream)
        }
    }

    /// Reads up to the per-wake-up cap and hands the bytes to the owner. Returns true when the socket
    /// had nothing more to read.
    private func readStream(_ stream: StreamConnection, hangUp: Bool) -> Bool {
        for _ in 0..<Self.readsPerWake {
            guard streams[stream.id] === stream, stream.fd >= 0, stream.reads else { return false }
            switch Sockets.read(stream.fd, into: readBuffer) {
            case .wouldBlock:
                return true
            case .bytes(let count):
                stream.lastActivity = now
                guard !stream.closing else { continue }   // drained so that closing sends no reset
                stream.delegate.streamReceived(stream.id, Array(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count])))
                // A short read took what there was: epoll is level-triggered, so bytes that arrive later
                // wake the loop again. Not reading again saves a recv that would only say EAGAIN.
                // After a hang-up, read on to the end of the stream.
                if count < readBuffer.count && !hangUp { return false }
            case .endOfStream:
                if hangUp {
                    clientGone(stream)   // both directions are shut: the client is gone
                } else {
                    stream.inputEnded = true
                    updateInterest(stream)
                    if !stream.closing { stream.delegate.streamInputEnded(stream.id) }
                }
                return false
            case .failed(let code):
                endStream(stream, code == ECONNRESET ? .clientClosed : .failed(errnoDescription(code)), flush: false)
                return false
            }
        }
        return false
    }

    /// The client hung up or reset: a closing stream is done, an open one is reported closed.
    private func clientGone(_ stream: StreamConnection) {
        if stream.closing {
            finishStream(stream)
        } else {
            endStream(stream, .clientClosed, flush: false)
        }
    }

    // MARK: - Writing

    func flushDirtyStreams() {
        let ids = dirtyStreams
        dirtyStreams = []
        for id in ids {
            if let stream = streams[id] { flushStream(stream) }
        }
    }

    /// Writes queued bytes until the socket is full or nothing is left; asks epoll for writability
    /// only while something is left.
    private func flushStream(_ stream: StreamConnection) {
        guard stream.fd >= 0 else { return }
        while !stream.outbound.isEmpty {
            let wanted = stream.outbound.count
            switch stream.outbound.withReadableBytes({ Sockets.write(stream.fd, $0) }) {
            case .failure(let error):
                stream.outbound = ByteQueue()
                if stream.closing {
                    finishStream(stream)
                } else {
                    endStream(stream, error.code == EPIPE || error.code == ECONNRESET ? .clientClosed : .failed(error.description), flush: false)
                }
                return
            case .success(let count):
                if count > 0 {
                    stream.outbound.consume(count)
                    stream.lastActivity = now
                    consumeStreamBudget(of: stream, count)
                    guard streams[stream.id] === stream else { return }
                }
                if count < wanted {
                    updateInterest(stream)   // the socket is full: wait for EPOLLOUT
                    return
                }
            }
        }
        if stream.closing {
            finishStream(stream)
            return
        }
        updateInterest(stream)
    }

    /// Takes `count` bytes off a stream's send budget; delivers `streamWritable` at the low-water mark.
    private func consumeStreamBudget(of stream: StreamConnection, _ count: Int) {
        let notify = shared.state.withLock { state -> Bool in
            guard var budget = state.streamBudgets[stream.id] else { return false }
            budget.queued -= count
            var notify = false
            if budget.blocked && budget.queued <= budget.lowWater {
                budget.blocked = false
                notify = true
            }
            state.streamBudgets[stream.id] = budget
            return notify
        }
        if notify { stream.delegate.streamWritable(stream.id) }
    }

    private func updateInterest(_ stream: StreamConnection) {
        let mask = stream.wantedInterest
        guard stream.fd >= 0, stream.interest != mask else { return }
        stream.interest = mask
        poller.modify(stream.fd, token: stream.id.rawValue, events: mask)
    }

    // MARK: - Closing

    /// Reports `stream` closed for `reason` (once), then closes its socket — at once, or with `flush`
    /// after what is queued went out (bounded by the listener's close linger).
    private func endStream(_ stream: StreamConnection, _ reason: StreamCloseReason, flush: Bool) {
        reportStream(stream, reason)
        guard streams[stream.id] === stream else { return }
        if flush && stream.fd >= 0 && !stream.outbound.isEmpty && stream.closeLinger > 0 {
            stream.closing = true
            armStream(stream, at: now &+ stream.closeLinger)
            flushStream(stream)
        } else {
            finishStream(stream)
        }
    }

    private func reportStream(_ stream: StreamConnection, _ reason: StreamCloseReason) {
        guard !stream.reported else { return }
        stream.reported = true
        _ = shared.state.withLock { state in state.streamBudgets.removeValue(forKey: stream.id) }
        stream.delegate.streamClosed(stream.id, reason: reason)
    }

    private func finishStream(_ stream: StreamConnection) {
        if stream.fd >= 0 {
            poller.remove(stream.fd)
            close(stream.fd)
            stream.fd = -1
            stream.interest = 0
            streamListeners[stream.listener.id]?.open -= 1
        }
        if streams[stream.id] === stream { streams.removeValue(forKey: stream.id) }
        dirtyStreams.remove(stream.id)
    }

    // MARK: - Timers

    private func armStream(_ stream: StreamConnection, at deadline: UInt64) {
        stream.timerGeneration &+= 1
        timers.push(.stream(stream.id, generation: stream.timerGeneration), at: deadline)
    }

    /// (Re)arms the idle deadline from `lastActivity`; with no idle timeout, only cancels the old one.
    private func armIdle(_ stream: StreamConnection) {
        stream.timerGeneration &+= 1
        guard let idle = stream.idleTimeout else { return }
        armStream(stream, at: stream.lastActivity &+ idle.nanosecondsClamped)
    }

    func streamTimerExpired(_ stream: StreamConnection) {
        if stream.closing {
            finishStream(stream)   // the linger is over: what is still queued is dropped
            return
        }
        guard let idle = stream.idleTimeout else { return }
        let due = stream.lastActivity &+ idle.nanosecondsClamped
        if due > now {
            armStream(stream, at: due)
        } else {
            endStream(stream, .idleTimeout(idle), flush: false)
        }
    }

    // MARK: - Shutdown

    /// Reports and closes every stream (what is queued gets one write if the socket takes it at
    /// once), closes every stream listener and removes its socket file.
    func teardownStreams() {
        for stream in streams.values.sorted(by: { $0.id < $1.id }) {
            if stream.fd >= 0 && !stream.outbound.isEmpty {
                _ = stream.outbound.withReadableBytes { Sockets.write(stream.fd, $0) }
            }
            reportStream(stream, .shutdown)
            finishStream(stream)
        }
        streams.removeAll()
        for record in streamListeners.values {
            if !record.paused { poller.remove(record.fd) }
            closeStreamListenerSocket(record.listener, fd: record.fd)
        }
        streamListeners.removeAll()
        dirtyStreams.removeAll()
        shared.state.withLock { state in state.streamBudgets.removeAll() }
    }
}
