/// A plain byte-stream connection accepted by a stream listener of one `NetworkLoop` (the node's
/// local API on a Unix socket, the web desk over TCP). Numbered from the same counter as peer
/// connections, listeners and timers, so it is never reused while the loop lives.
public struct StreamID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The number.
    public let rawValue: UInt64

    /// The id with this number.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "stream #\(rawValue)" }
}

/// A listening socket for plain byte streams, from `NetworkLoop.listenStream(unixPath:…)` or
/// `listenStream(host:port:…)`. Pass it to `stopListening(_:)`.
public struct StreamListener: Hashable, Sendable, CustomStringConvertible {
    /// The number (unique within its loop).
    public let id: UInt64
    /// `127.0.0.1:8080`, `[::1]:8080`, or the socket file's path.
    public let address: String
    /// TCP: the bound port (the one the kernel chose when asked for port 0). Unix: nil.
    public let port: UInt16?
    /// Unix: the socket file, removed when the listener stops. TCP: nil.
    public let path: String?
    /// Unix: the socket file as created, so that only that file is ever removed (not one another
    /// server created at the same path later).
    let file: FileIdentity?

    public var description: String {
        path != nil ? "stream listener on the socket \(address)" : "stream listener on \(address)"
    }
}

/// The limits of one stream listener and of every stream it accepts. A value with defaults fit for a
/// local API; the loop checks it in `listenStream`.
public struct StreamListenerOptions: Sendable {
    /// The most streams of this listener open at once (those still flushing after `closeStream`
    /// included: they hold a descriptor). A client beyond it is closed at once and reported through
    /// `ByteStreamDelegate.streamRefused`. Default 64.
    public var maxClients: Int = 64
    /// A stream on which nothing was read or written for this long is closed (`.idleTimeout`): a
    /// silent client, or one that sends too slowly or stops reading. nil: never (for long-lived
    /// `follow`-style clients; the owner may also arm and disarm it per stream with
    /// `NetworkLoop.setStreamIdleTimeout`). Default 60 s.
    public var idleTimeout: Duration? = .seconds(60)
    /// The most bytes accepted by `sendStream` and not yet written to the socket, per stream.
    /// `sendStream` answers `.queueFull` beyond it; bytes are always accepted into an empty queue,
    /// whatever their size. Default 1 MiB.
    public var sendQueueLimit: Int = 1 << 20
    /// After a `.queueFull`, `streamWritable` is delivered once the queue is down to this many bytes;
    /// nil means half of `sendQueueLimit`.
    public var sendQueueLowWater: Int?
    /// How long a stream closed with `afterFlush: true` may keep writing what was queued before its
    /// socket is closed regardless (a client that stops reading cannot hold it open). Default 5 s.
    public var closeLinger: Duration = .seconds(5)
    /// The listen backlog. Default 128.
    public var backlog: Int32 = 128

    /// The defaults.
    public init() {}

    /// The low-water mark in effect.
    var effectiveLowWater: Int { sendQueueLowWater ?? sendQueueLimit / 2 }

    /// Throws if a value is out of range.
    func validate() throws(NetworkError) {
        func check(_ ok: Bool, _ message: String) throws(NetworkError) {
            if !ok { throw NetworkError(.configuration, message) }
        }
        try check(maxClients > 0, "the stream listener's client limit must be positive, got \(maxClients)")
        try check(idleTimeout.map { $0 > .zero } ?? true, "the stream idle timeout must be positive (or nil to keep silent clients)")
        try check(sendQueueLimit > 0, "the stream send queue limit must be positive")
        try check((0...sendQueueLimit).contains(effectiveLowWater), "the stream send queue low-water mark must be 0…\(sendQueueLimit) (the limit), got \(effectiveLowWater)")
        try check(closeLinger >= .zero, "the stream close linger must not be negative")
        try check(backlog > 0, "the stream listen backlog must be positive")
    }
}

/// Why a stream ended, as `ByteStreamDelegate.streamClosed` reports it.
public enum StreamCloseReason: Equatable, Sendable, CustomStringConvertible {
    /// The owner called `closeStream` with this reason.
    case closedByOwner(String)
    /// The client closed the connection entirely (or reset it) while the stream was open.
    case clientClosed
    /// Nothing was read or written for this long.
    case idleTimeout(Duration)
    /// A read or write failed with this system error (e.g. "Broken pipe (errno 32)").
    case failed(String)
    /// The network loop was shut down.
    case shutdown

    public var description: String {
        switch self {
        case .closedByOwner(let reason): reason
        case .clientClosed: "the client closed the connection"
        case .idleTimeout(let limit): "nothing was read from or written to the client for \(limit.spoken) (idle timeout)"
        case .failed(let error): "the connection to the client failed: \(error)"
        case .shutdown: "the network loop was shut down"
        }
    }
}

/// Why a stream listener turned a client away before it got an id, as
/// `ByteStreamDelegate.streamRefused` reports it.
public enum StreamRefusal: Equatable, Sendable, CustomStringConvertible {
    /// The listener already has `maxClients` streams open; the client was closed at once.
    case tooManyClients(limit: Int)
    /// `accept` failed for want of descriptors or memory (this errno text); the listener rests
    /// 100 ms instead of spinning on a connection it cannot take.
    case outOfResources(String)
    /// The socket could not be watched with epoll (this error) and was closed: an accepted client's,
    /// or the listener's own (then `remote` is the listener's address and it serves nobody).
    case cannotWatch(String)

    public var description: String {
        switch self {
        case .tooManyClients(let limit): "already \(limit) clients connected, the limit of this listener; the client was closed at once (raise maxClients if this is expected)"
        case .outOfResources(let error): "cannot accept a client: \(error); raise the open-file limit (ulimit -n) or serve fewer clients"
        case .cannotWatch(let error): "cannot watch the socket: \(error)"
        }
    }
}
