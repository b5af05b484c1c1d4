import Foundation
import Glibc
import Synchronization

/// A slow link on loopback for benchmarks and tests (this kernel has no netem): a TCP proxy that
/// accepts on `127.0.0.1:listenPort`, connects each accepted connection to `127.0.0.1:targetPort`,
/// and forwards the bytes both ways at most `bytesPerSecond` each way (a token bucket that holds
/// at most a tenth of a second of bytes). Its sockets' receive buffers are small, so that the bytes
/// waiting on the link are few, as on a slow link whose modem does not hoard them; the sender's
/// own queues decide what goes first.
///
/// The pacing waits on the monotonic clock: that is the link being slow, not a test waiting for
/// something to happen. `close()` stops it, closes every socket, and joins its threads.
public final class ThrottledLink: @unchecked Sendable {
    /// The port it accepts on.
    public let listenPort: Int
    /// Bytes per second, each way; may be changed while bytes flow (a link that gets faster).
    public var bytesPerSecond: Int {
        get { rate.load(ordering: .relaxed) }
        set { precondition(newValue > 0); rate.store(newValue, ordering: .relaxed) }
    }
    private let rate: Atomic<Int>
    private let targetPort: Int
    private let listener: Int32
    private let state = Mutex<(sockets: [Int32], closed: Bool)>(([], false))
    private let finished = DispatchGroup()
    /// Bytes forwarded from the accepting side to the target, and back.
    private let counts = Mutex<(up: Int, down: Int)>((0, 0))

    /// A link from `listenPort` to `targetPort` on 127.0.0.1, at `bytesPerSecond` each way.
    public init(listenPort: Int, targetPort: Int, bytesPerSecond: Int) throws {
        precondition(bytesPerSecond > 0)
        self.listenPort = listenPort
        self.targetPort = targetPort
        rate = Atomic(bytesPerSecond)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchError("throttled link: cannot create a socket: \(String(cString: strerror(errno)))") }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        Self.smallReceiveBuffer(fd)   // inherited by accepted sockets
        var address = Self.loopback(listenPort)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw BenchError("throttled link: cannot listen on 127.0.0.1:\(listenPort): \(reason)")
        }
        listener = fd
        spawn { [self] in acceptLoop() }
    }

    deinit { close() }

    /// Bytes forwarded so far: from the accepting side to the target (`up`) and back (`down`).
    public var forwarded: (up: Int, down: Int) { counts.withLock { $0 } }

    /// Stops accepting and forwarding, closes every socket, and waits for its threads to end.
    public func close() {
        let (first, sockets) = state.withLock { s -> (Bool, [Int32]) in
            if s.closed { return (false, []) }
            s.closed = true
            return (true, s.sockets)
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        finished.wait()
        state.withLock { s in
            for fd in s.sockets { Glibc.close(fd) }
            s.sockets = []
        }
        Glibc.close(listener)
    }

    private func spawn(_ body: @escaping @Sendable () -> Void) {
        finished.enter()
        let thread = Thread { [finished] in
            body()
            finished.leave()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }

    private func track(_ fd: Int32) -> Bool {
        state.withLock { s in
            if s.closed { return false }
            s.sockets.append(fd)
            return true
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return   // shut down
            }
            guard track(client) else { Glibc.close(client); return }
            let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard upstream >= 0 else { shutdown(client, Int32(SHUT_RDWR)); continue }
            guard track(upstream) else { Glibc.close(upstream); return }
            Self.smallReceiveBuffer(upstream)
            var on: Int32 = 1
            _ = setsockopt(upstream, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            _ = setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
            var address = Self.loopback(targetPort)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else {
                shutdown(client, Int32(SHUT_RDWR))
                continue
            }
            spawn { [self] in pump(from: client, to: upstream, up: true) }
            spawn { [self] in pump(from: upstream, to: client, up: false) }
        }
    }

    /// Forwards one direction at the link's rate until either side ends, then ends both.
    private func pump(from source: Int32, to destination: Int32, up: Bool) {
        var tokens = 0.0
        var last = Self.seconds()
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        defer {
            shutdown(source, Int32(SHUT_RDWR))
            shutdown(destination, Int32(SHUT_RDWR))
        }
        while true {
            let now = Self.seconds(), perSecond = Double(bytesPerSecond)
            let burst = max(1, min(Double(buffer.count), perSecond / 10))
            tokens = min(burst, tokens + (now - last) * perSecond)
            last = now
            if tokens < 1 {
                Self.pause((1 - tokens) / perSecond)
                continue
            }
            let want = min(buffer.count, Int(tokens))
            let got = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, want) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { return }
            tokens -= Double(got)
            var offset = 0
            while offset < got {
                let wrote = buffer.withUnsafeBytes { write(destination, $0.baseAddress! + offset, got - offset) }
                if wrote < 0 && errno == EINTR { continue }
                guard wrote > 0 else { return }
                offset += wrote
            }
            counts.withLock { if up { $0.up += got } else { $0.down += got } }
        }
    }

    private static func smallReceiveBuffer(_ fd: Int32) {
        var size: Int32 = 4096   // the kernel doubles it
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    private static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return address
    }

    private static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The link's pacing: the time the next bytes take at its rate.
    private static func pause(_ seconds: Double) {
        var ts = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var left = timespec()
        while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
    }
}
