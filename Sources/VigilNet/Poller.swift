import Glibc

/// One epoll instance and the eventfd that wakes it, level-triggered.
///
/// Every registered descriptor carries a 64-bit token (a connection or listener id; 0 is the
/// eventfd). Owned by the loop thread, except `wake()`, which any thread may call: it only writes
/// to the eventfd, whose descriptor never changes while the loop lives.
final class Poller {
    /// The token of the wake-up eventfd.
    static let wakeToken: UInt64 = 0

    let epollFD: Int32
    let wakeFD: Int32
    private let capacity = 256
    private let events: UnsafeMutableRawPointer

    init() throws(NetworkError) {
        let epoll = LinuxCalls.epollCreate1(LinuxCalls.O_CLOEXEC)
        guard epoll >= 0 else { throw NetworkError(.system, "cannot create an epoll instance: \(errnoDescription())") }
        let wake = LinuxCalls.eventfd(0, LinuxCalls.O_NONBLOCK | LinuxCalls.O_CLOEXEC)
        guard wake >= 0 else {
            let reason = errnoDescription()
            Glibc.close(epoll)
            throw NetworkError(.system, "cannot create the wake-up eventfd: \(reason)")
        }
        epollFD = epoll
        wakeFD = wake
        events = UnsafeMutableRawPointer.allocate(byteCount: capacity * LinuxCalls.epollEventSize, alignment: 8)
        try add(wake, token: Self.wakeToken, events: LinuxCalls.EPOLLIN)
    }

    deinit { events.deallocate() }

    /// Closes the epoll instance and the eventfd (after the loop thread has ended).
    func close() {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    func add(_ fd: Int32, token: UInt64, events mask: UInt32) throws(NetworkError) {
        guard control(LinuxCalls.EPOLL_CTL_ADD, fd, token: token, events: mask) == 0 else {
            throw NetworkError(.system, "cannot watch descriptor \(fd): \(errnoDescription())")
        }
    }

    func modify(_ fd: Int32, token: UInt64, events mask: UInt32) {
        _ = control(LinuxCalls.EPOLL_CTL_MOD, fd, token: token, events: mask)
    }

    func remove(_ fd: Int32) {
        _ = control(LinuxCalls.EPOLL_CTL_DEL, fd, token: 0, events: 0)
    }

    private func control(_ op: Int32, _ fd: Int32, token: UInt64, events mask: UInt32) -> Int32 {
        var event = (UInt64(0), UInt64(0))   // 16 zeroed bytes; the first 12 are the packed epoll_event
        return withUnsafeMutableBytes(of: &event) { raw in
            raw.storeBytes(of: mask, toByteOffset: 0, as: UInt32.self)
            raw.storeBytes(of: token, toByteOffset: 4, as: UInt64.self)
            return LinuxCalls.epollCtl(epollFD, op, fd, raw.baseAddress)
        }
    }

    /// Waits up to `timeout` milliseconds (-1: no limit) and calls `body` with each ready token and
    /// its event mask. Returns at once when something is ready; EINTR counts as nothing ready.
    func wait(timeout: Int32, _ body: (UInt64, UInt32) -> Void) {
        let count = LinuxCalls.epollWait(epollFD, events, Int32(capacity), timeout)
        guard count > 0 else { return }
        for index in 0..<Int(count) {
            let base = index * LinuxCalls.epollEventSize
            let mask = events.loadUnaligned(fromByteOffset: base, as: UInt32.self)
            let token = events.loadUnaligned(fromByteOffset: base + 4, as: UInt64.self)
            body(token, mask)
        }
    }

    /// Makes the next (or current) `wait` return. Safe from any thread.
    static func wake(_ wakeFD: Int32) {
        var one: UInt64 = 1
        _ = withUnsafeBytes(of: &one) { Glibc.write(wakeFD, $0.baseAddress, 8) }
    }

    /// Resets the eventfd counter after a wake-up.
    func acknowledgeWake() {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { Glibc.read(wakeFD, $0.baseAddress, 8) }
    }
}
