/// How long a desk connection may take at each stage. Secure defaults against slow clients.
public struct DeskConnectionTimeouts: Equatable, Sendable {
    /// From a request's first byte to its last: a client trickling bytes (slowloris) is cut off here,
    /// however steadily it trickles.
    public var request: Duration
    /// How long a kept-alive connection may wait for the next request.
    public var idle: Duration
    /// How long queued response bytes (or event-stream bytes) may wait for a client that does not read.
    public var write: Duration
    /// Over HTTPS: from the connection to a finished TLS handshake. A client that stalls in the
    /// handshake (or never starts it) gives its connection slot back here.
    public var handshake: Duration

    /// Timeouts; `.desk` is the default.
    public init(request: Duration, idle: Duration, write: Duration, handshake: Duration = .seconds(10)) {
        self.request = request
        self.idle = idle
        self.write = write
        self.handshake = handshake
    }

    /// 10 s per request, 60 s idle keep-alive, 30 s for a stalled reader, 10 s for a TLS handshake.
    public static let desk = DeskConnectionTimeouts(request: .seconds(10), idle: .seconds(60), write: .seconds(30), handshake: .seconds(10))
}

/// One desk HTTP connection as a pure state machine (as swift-nio's HTTP state machines): the host
/// reads, writes, closes and keeps a timer; every event goes in with the current time (a `Duration`
/// since any fixed origin, e.g. the loop's monotonic clock) and an action comes out.
///
/// Requests are handled one at a time; pipelined requests wait in the parser. While a request is being
/// handled or answered the host should not read (`wantsInput`), which bounds what a client can buffer.
public struct DeskConnectionMachine: Sendable {
    /// Where the connection is.
    enum State: Equatable, Sendable {
        /// Over HTTPS: the TLS handshake started at `since` and has not finished.
        case handshaking(since: Duration)
        /// Waiting for the first byte of a request since `since`.
        case idle(since: Duration)
        /// Part of a request arrived; its first byte came at `since`.
        case receiving(since: Duration)
        /// A complete request is with the application.
        case handling(keepAlive: Bool)
        /// A response was queued at `since`; after it drains, close unless `keepAlive`.
        case writing(since: Duration, keepAlive: Bool)
        /// An event stream: stays open; `pendingSince` is when queued bytes last started waiting.
        case streaming(pendingSince: Duration?)
        /// Done; every further event is ignored.
        case closed
    }

    /// What the host does after bytes arrive or a response drained.
    public enum Action: Equatable, Sendable {
        /// Nothing (wait for more bytes or for the application).
        case none
        /// Give this request to the application; it answers with `respond` or `startStream`.
        case handle(HTTPRequest)
        /// Write this refusal, then close (`writeDrained` will say `.close`).
        case refuse(HTTPResponse)
        /// Close the connection now.
        case close
    }

    private(set) var state: State
    private var parser: HTTPRequestParser
    /// The timeouts in force.
    public let timeouts: DeskConnectionTimeouts

    /// A new connection, accepted at `now`. With `handshake` (HTTPS) it first waits for the host's
    /// `handshakeCompleted`, at most `timeouts.handshake`.
    public init(now: Duration, limits: HTTPLimits = .desk, timeouts: DeskConnectionTimeouts = .desk, handshake: Bool = false) {
        state = handshake ? .handshaking(since: now) : .idle(since: now)
        parser = HTTPRequestParser(limits: limits)
        self.timeouts = timeouts
    }

    /// Whether the host should read from the socket now.
    public var wantsInput: Bool {
        switch state {
        case .handshaking, .idle, .receiving: true
        default: false
        }
    }

    /// Whether the connection is finished.
    public var isClosed: Bool { state == .closed }

    /// Over HTTPS: the TLS handshake finished at `now`; the connection waits for its first request.
    public mutating func handshakeCompleted(now: Duration) {
        guard case .handshaking = state else { return }
        state = .idle(since: now)
    }

    /// Whether the connection still waits for its TLS handshake.
    public var isHandshaking: Bool {
        if case .handshaking = state { return true }
        return false
    }

    /// Bytes (plaintext, over HTTPS) arrived from the client. During the handshake this means it
    /// finished (a host that forgot `handshakeCompleted`).
    public mutating func received(_ bytes: some Collection<UInt8>, now: Duration) -> Action {
        if case .handshaking = state { state = .idle(since: now) }
        switch state {
        case .handshaking, .idle, .receiving:
            parser.append(bytes)
            return nextRequest(now: now)
        case .handling, .writing:
            // A pipelined request: kept for later (the host stops reading while this state lasts).
            parser.append(bytes)
            return .none
        case .streaming, .closed:
            return .none
        }
    }

    /// The application queued a response to the request being handled, at `now`.
    /// `keepAlive` false closes the connection after it even if the client asked to keep it.
    public mutating func respond(keepAlive: Bool, now: Duration) {
        guard case .handling(let requested) = state else { return }
        state = .writing(since: now, keepAlive: requested && keepAlive)
    }

    /// Whether the connection stays open after the response to the request being handled (the value to
    /// pass to `HTTPResponse.serialized(keepAlive:)`).
    public var responseKeepsAlive: Bool {
        if case .handling(let keepAlive) = state { return keepAlive }
        return false
    }

    /// The application turned the request being handled into an event stream (its head is queued).
    public mutating func startStream(now: Duration) {
        guard case .handling = state else { return }
        state = .streaming(pendingSince: now)
    }

    /// The application queued event-stream bytes at `now`.
    public mutating func streamQueued(now: Duration) {
        guard case .streaming(let pending) = state, pending == nil else { return }
        state = .streaming(pendingSince: now)
    }

    /// Everything queued was written, at `now`.
    public mutating func writeDrained(now: Duration) -> Action {
        switch state {
        case .writing(_, let keepAlive):
            guard keepAlive else {
                state = .closed
                return .close
            }
            state = .idle(since: now)
            return nextRequest(now: now)
        case .streaming:
            state = .streaming(pendingSince: nil)
            return .none
        default:
            return .none
        }
    }

    /// The client closed its side or the socket failed.
    public mutating func peerClosed() {
        state = .closed
    }

    /// The timer fired (or any time): what a passed deadline requires.
    public mutating func tick(now: Duration) -> Action {
        switch state {
        case .handshaking(let since) where now - since >= timeouts.handshake:
            state = .closed
            return .close
        case .idle(let since) where now - since >= timeouts.idle:
            state = .closed
            return .close
        case .receiving(let since) where now - since >= timeouts.request:
            state = .writing(since: now, keepAlive: false)
            return .refuse(.text(.requestTimeout, "the request did not arrive within \(timeouts.request); send it at once\n"))
        case .writing(let since, _) where now - since >= timeouts.write:
            state = .closed
            return .close
        case .streaming(let pending?) where now - pending >= timeouts.write:
            state = .closed
            return .close
        default:
            return .none
        }
    }

    /// When `tick` next has something to do, for the host's timer; nil when no deadline is pending.
    public var nextDeadline: Duration? {
        switch state {
        case .handshaking(let since): since + timeouts.handshake
        case .idle(let since): since + timeouts.idle
        case .receiving(let since): since + timeouts.request
        case .writing(let since, _): since + timeouts.write
        case .streaming(let pending): pending.map { $0 + timeouts.write }
        case .handling, .closed: nil
        }
    }

    private mutating func nextRequest(now: Duration) -> Action {
        do {
            if let request = try parser.next() {
                state = .handling(keepAlive: request.keepAlive)
                return .handle(request)
            }
        } catch {
            state = .writing(since: now, keepAlive: false)
            return .refuse(.refusal(error))
        }
        if case .idle = state, parser.isMidRequest { state = .receiving(since: now) }
        return .none
    }
}
