import Glibc
import Synchronization
import VigilCrypto
import VigilSync

/// Work handed to the loop thread by any thread (the loop thread included).
enum Command: Sendable {
    /// Watch a listening socket (already bound and listening).
    case listen(Listener, fd: Int32)
    /// Close a listening socket.
    case stopListening(UInt64)
    /// Dial: `addresses` nil while the host name is still being resolved.
    case dial(ConnectionID, remote: String, addresses: [SocketAddress]?, expectedPeer: PublicKey?)
    /// The resolver's answer for a dial that was waiting for it.
    case resolved(ConnectionID, Result<[SocketAddress], NetworkError>)
    /// Queue an encoded frame (its bytes are already counted in the connection's send budget).
    case send(ConnectionID, [UInt8])
    /// Close a connection with a reason.
    case close(ConnectionID, reason: CloseReason)
    /// Start a delegate timer.
    case schedule(TimerID, token: UInt64, after: Duration)
    /// Cancel a delegate timer.
    case cancel(TimerID)
    /// Run a job on the loop thread (`NetworkLoop.execute`).
    case execute(@Sendable () -> Void)
    /// Watch a listening stream socket (already bound and listening).
    case listenStream(StreamListener, fd: Int32, options: StreamListenerOptions, delegate: any ByteStreamDelegate)
    /// Close a listening stream socket (its Unix socket file is already removed).
    case stopStreamListening(UInt64)
    /// Queue bytes on a stream (already counted in its send budget).
    case sendStream(StreamID, [UInt8])
    /// Close a stream with a reason, after writing what is queued or at once.
    case closeStream(StreamID, reason: String, afterFlush: Bool)
    /// Arm (from now) or disarm a stream's idle timeout.
    case setStreamIdleTimeout(StreamID, Duration?)
    /// Pause or resume reading a stream.
    case setStreamReading(StreamID, paused: Bool)
}

/// The lifecycle of a loop.
enum LoopPhase: Sendable {
    case created, running, stopping, stopped
}

/// How many queued bytes a connection holds, for back-pressure decided in the sender's thread.
struct SendBudget: Sendable {
    /// Encoded frame bytes accepted by `send` and not yet handed to TLS.
    var queued = 0
    /// A `send` was refused with `.queueFull`; deliver `writable` at the low-water mark.
    var blocked = false
}

/// How many queued bytes a stream holds, against its listener's limits.
struct StreamBudget: Sendable {
    /// Bytes accepted by `sendStream` and not yet written to the socket.
    var queued = 0
    /// A `sendStream` was refused with `.queueFull`; deliver `streamWritable` at the low-water mark.
    var blocked = false
    let limit: Int
    let lowWater: Int
}

/// The state every thread may touch, under one lock held only for a few instructions at a time:
/// the command queue, whether a wake-up is already on its way, and the send budgets of connections
/// and streams. The loop thread never calls a delegate or a system call while holding it.
struct SharedState: Sendable {
    var phase: LoopPhase = .created
    var commands: [Command] = []
    var wakePending = false
    var budgets: [ConnectionID: SendBudget] = [:]
    var streamBudgets: [StreamID: StreamBudget] = [:]
}

/// What the public `NetworkLoop` and the loop thread's `LoopCore` share.
final class LoopShared: Sendable {
    let state = Mutex(SharedState())
    /// The eventfd that wakes the loop (never changes while the loop lives).
    let wakeFD: Int32
    /// Ids for connections, listeners and timers; 0 is the wake-up token.
    private let nextID = Atomic<UInt64>(1)
    /// `pthread_self()` of the running loop thread, 0 when there is none.
    let loopThread = Atomic<UInt>(0)
    /// The kernel thread id of the loop thread once it ran (for tests: /proc/self/task/<tid>).
    let loopThreadTID = Atomic<Int32>(0)
    /// Set when `shutdown` was called on the loop thread itself: the thread closes the poller as it ends.
    let closePollerOnExit = Atomic<Bool>(false)

    init(wakeFD: Int32) {
        self.wakeFD = wakeFD
    }

    func allocateID() -> UInt64 {
        nextID.wrappingAdd(1, ordering: .relaxed).oldValue
    }

    /// Whether the caller runs on the loop thread.
    var onLoopThread: Bool {
        let loop = loopThread.load(ordering: .acquiring)
        return loop != 0 && pthread_equal(pthread_self(), pthread_t(loop)) != 0
    }

    /// Appends `command` unless the loop stopped; wakes the loop when needed. Returns false when
    /// the loop takes no more work.
    @discardableResult
    func submit(_ command: Command) -> Bool {
        let onLoop = onLoopThread
        let (accepted, wake) = state.withLock { state -> (Bool, Bool) in
            guard state.phase == .created || state.phase == .running else { return (false, false) }
            state.commands.append(command)
            return (true, state.requestWake(onLoopThread: onLoop))
        }
        if wake { Poller.wake(wakeFD) }
        return accepted
    }
}

extension SharedState {
    /// Whether the caller must write the eventfd: not from the loop thread (it drains the queue
    /// before it sleeps again), and only once until the loop takes the queue.
    mutating func requestWake(onLoopThread: Bool) -> Bool {
        guard !onLoopThread, !wakePending, phase != .created else { return false }
        wakePending = true
        return true
    }
}
