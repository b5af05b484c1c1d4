import VigilCrypto
import VigilSync

/// The settings of one `NetworkLoop`: its TLS identity and every limit and timeout, with defaults
/// fit for a federation node. A value: build it, adjust fields, hand it to the loop, which checks it.
public struct NetworkConfiguration: Sendable {
    /// This node's certificate and key and the federation CA (mutual TLS 1.3, Ed25519 only), used for
    /// both accepted and dialled connections.
    public var tls: TLSContext
    /// How long a TLS handshake may take from the TCP connection to a verified peer: a peer that
    /// connects and says nothing is dropped after this. Default 10 s.
    public var handshakeTimeout: Duration = .seconds(10)
    /// How long a dialled TCP connection may take to be accepted. Default 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// An established session on which nothing was received for this long is closed; nil never closes
    /// idle sessions. The node's pings keep a healthy session busy. Default 120 s.
    public var idleTimeout: Duration? = .seconds(120)
    /// The largest frame accepted from a peer or by `send` (the length field's value, type byte
    /// included); at most `Frame.maxLength`. Default `Frame.maxLength`.
    public var maxFrameLength: Int = Frame.maxLength
    /// The most encoded frame bytes queued on one connection and not yet handed to TLS. `send` answers
    /// `.queueFull` beyond it, so a slow peer costs bounded memory and never slows the others. A frame
    /// is always accepted into an empty queue, whatever its size. Default 1 MiB.
    public var sendQueueLimit: Int = 1 << 20
    /// After a `.queueFull`, `writable` is delivered once the queue is down to this many bytes; nil
    /// means half of `sendQueueLimit`.
    public var sendQueueLowWater: Int?
    /// Ciphertext buffered per connection before more queued frames are encrypted (in chunks of
    /// `encryptChunk`). Default 64 KiB: enough to fill a socket write.
    public var ciphertextHighWater: Int = 64 * 1024
    /// Queued frames are encrypted in chunks of at most this many bytes (small frames share a chunk and
    /// so a TLS record; a larger frame goes alone). Default 16 KiB, one TLS record.
    public var encryptChunk: Int = 16 * 1024
    /// TCP_NOTSENT_LOWAT for peer connections: the kernel takes more bytes from the loop only while
    /// fewer than this many wait unsent in the socket; nil leaves the kernel's default (no limit). A
    /// small value keeps queued frames in the loop and the node's `OutboundQueue`, where their
    /// priority still counts, instead of in the kernel, where it no longer does.
    public var unsentLowWater: Int?
    /// How long a closing connection may keep flushing its last frames, close_notify or TLS alert to
    /// the peer before the socket is closed regardless. Default 2 s.
    public var closeLinger: Duration = .seconds(2)
    /// The listen backlog. Default 1024.
    public var listenBacklog: Int32 = 1024

    /// Defaults, with this TLS identity.
    public init(tls: TLSContext) {
        self.tls = tls
    }

    /// The low-water mark in effect.
    var effectiveLowWater: Int { sendQueueLowWater ?? sendQueueLimit / 2 }

    /// Throws if a value is out of range.
    func validate() throws(NetworkError) {
        func check(_ ok: Bool, _ message: String) throws(NetworkError) {
            if !ok { throw NetworkError(.configuration, message) }
        }
        try check(handshakeTimeout > .zero, "the handshake timeout must be positive")
        try check(connectTimeout > .zero, "the connect timeout must be positive")
        try check(idleTimeout.map { $0 > .zero } ?? true, "the idle timeout must be positive (or nil to keep idle sessions)")
        try check(closeLinger >= .zero, "the close linger must not be negative")
        try check((2...Frame.maxLength).contains(maxFrameLength), "the maximum frame length must be 2…\(Frame.maxLength) bytes, got \(maxFrameLength)")
        try check(sendQueueLimit > 0, "the send queue limit must be positive")
        try check((0...sendQueueLimit).contains(effectiveLowWater), "the send queue low-water mark must be 0…\(sendQueueLimit) (the limit), got \(effectiveLowWater)")
        try check(listenBacklog > 0, "the listen backlog must be positive")
        try check(ciphertextHighWater > 0, "the ciphertext high-water mark must be positive, got \(ciphertextHighWater)")
        try check(encryptChunk > 0, "the encryption chunk must be positive, got \(encryptChunk)")
        try check(unsentLowWater.map { $0 > 0 } ?? true, "the unsent low-water mark must be positive (or nil for the kernel's default)")
    }
}

extension Duration {
    /// Whole nanoseconds, saturating (durations here are timeouts of seconds to minutes).
    var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        guard seconds < 1 << 33 else { return 1 << 63 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// `"200 ms"`, `"10 s"` — for reasons.
    var spoken: String {
        let ns = nanosecondsClamped
        return ns % 1_000_000_000 == 0 ? "\(ns / 1_000_000_000) s" : "\(ns / 1_000_000) ms"
    }
}
