/// The loop thread's record of one accepted byte stream: its socket, the bytes waiting for it, its
/// timer and its owner. Owned by the loop thread.
final class StreamConnection {
    let id: StreamID
    let listener: StreamListener
    let delegate: any ByteStreamDelegate
    let remote: String
    var fd: Int32
    /// The epoll events currently asked for.
    var interest: UInt32 = 0

    /// Bytes accepted by `sendStream` and not yet written to the socket.
    var outbound = ByteQueue()
    /// The client shut down its side: nothing more to read.
    var inputEnded = false
    /// The owner paused reading (`setStreamReading(_:paused: true)`).
    var readingPaused = false
    /// Reported closed; still writing what was queued, until the linger deadline.
    var closing = false
    /// Whether `streamClosed` was delivered (exactly once).
    var reported = false

    /// nil: no idle timeout.
    var idleTimeout: Duration?
    /// How long a stream closed with `afterFlush` may keep writing (nanoseconds).
    let closeLinger: UInt64
    /// When bytes were last read or written (monotonic nanoseconds).
    var lastActivity: UInt64
    /// Bumped whenever a new timer entry is pushed (idle or linger deadline), so older entries are
    /// recognised as stale. The idle deadline is checked against `lastActivity` when it comes due.
    var timerGeneration: UInt64 = 0

    init(id: StreamID, listener: StreamListener, delegate: any ByteStreamDelegate, remote: String, fd: Int32,
         options: StreamListenerOptions, now: UInt64) {
        self.id = id
        self.listener = listener
        self.delegate = delegate
        self.remote = remote
        self.fd = fd
        self.idleTimeout = options.idleTimeout
        self.closeLinger = options.closeLinger.nanosecondsClamped
        self.lastActivity = now
    }

    /// The epoll events this stream needs now: input unless it ended or is paused (a closing stream
    /// keeps reading, and discards, so that closing does not reset the connection), output while
    /// something waits to be written. Hang-ups and errors are reported whatever the mask.
    var wantedInterest: UInt32 {
        let input = !inputEnded && (closing || !readingPaused)
        return (input ? LinuxCalls.EPOLLIN : 0) | (outbound.isEmpty ? 0 : LinuxCalls.EPOLLOUT)
    }

    /// Whether the stream reads when its socket is readable.
    var reads: Bool { wantedInterest & LinuxCalls.EPOLLIN != 0 }
}
