/// What the owner of a stream listener hears about the plain byte streams it accepts (the node's
/// local API, the web desk). Given per listener to `NetworkLoop.listenStream`, so the local API and
/// the web desk can be separate objects; a node may also make its peer delegate serve streams too.
///
/// **Every method is called on the loop's own thread** — the thread that calls the
/// `NetworkLoopDelegate` — one at a time, in the order things happened, so the node handles peer and
/// stream events on one thread and state touched only from these methods needs no lock. The same
/// rules hold: return quickly, never block, never call `NetworkLoop.shutdown()` from here. Calls back
/// into the loop (`sendStream`, `closeStream`, …) are queued and carried out once the method
/// returns; bytes the loop already read in the same wake-up (at most 256 KiB) may still be delivered
/// for a stream after the call that closed or paused it — ignore them.
///
/// Lifecycle of a stream id: `streamAccepted`, then any number of `streamReceived`, at most one
/// `streamInputEnded`, any number of `streamWritable`, and exactly one `streamClosed` — also when
/// the owner closed it, and when the loop shuts down. After `streamClosed`, `sendStream` on the id
/// returns `.closed`. A client turned away before it got an id is reported once through
/// `streamRefused`.
public protocol ByteStreamDelegate: AnyObject, Sendable {
    /// A client connected to `listener`. `remote` is for logs: `127.0.0.1:53211`, or for a Unix
    /// socket the client process as the kernel vouches for it (`pid 1234, uid 1000`).
    func streamAccepted(_ id: StreamID, on listener: StreamListener, remote: String)

    /// Bytes from the client, in order, as they arrived (any split: one byte, half a line, many
    /// lines). The owner does its own framing.
    func streamReceived(_ id: StreamID, _ bytes: [UInt8])

    /// The client will send nothing more (it shut down its side, or closed and may still be reading:
    /// a socket cannot tell). The stream stays open for writing: answer what is pending, then
    /// `closeStream(id, reason:, afterFlush: true)`. Nothing closes it otherwise, except the idle
    /// timeout, a failed write or shutdown.
    func streamInputEnded(_ id: StreamID)

    /// The stream's send queue drained to the low-water mark after a `sendStream` reported
    /// `.queueFull`: send again.
    func streamWritable(_ id: StreamID)

    /// The stream is closed, for `reason`; delivered exactly once per id.
    func streamClosed(_ id: StreamID, reason: StreamCloseReason)

    /// A client of `listener` was turned away before it got an id (log it).
    func streamRefused(on listener: StreamListener, remote: String, reason: StreamRefusal)
}

extension ByteStreamDelegate {
    /// Default: nothing to do (an owner that never sees `.queueFull` needs no wake-up).
    public func streamWritable(_ id: StreamID) {}
}
