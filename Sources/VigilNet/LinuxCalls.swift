import Glibc

/// The Linux calls the Swift `Glibc` module does not import: `sys/epoll.h` and `sys/eventfd.h` are not
/// in its module map, and the GNU extensions (`accept4`, `gettid`, `pthread_setname_np`) are hidden
/// without `_GNU_SOURCE`. Each is bound once by symbol name and called through a `@convention(c)`
/// pointer, so the C calling convention is exact. The constants are the Linux values (x86_64 and
/// arm64 agree).
enum LinuxCalls {
    typealias EpollCreate1 = @convention(c) (Int32) -> Int32
    typealias EpollCtl = @convention(c) (Int32, Int32, Int32, UnsafeMutableRawPointer?) -> Int32
    typealias EpollWait = @convention(c) (Int32, UnsafeMutableRawPointer?, Int32, Int32) -> Int32
    typealias EventFD = @convention(c) (UInt32, Int32) -> Int32
    typealias Accept4 = @convention(c) (Int32, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<socklen_t>?, Int32) -> Int32
    typealias GetTID = @convention(c) () -> Int32
    typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>?) -> Int32

    static let epollCreate1: EpollCreate1 = bind("epoll_create1")
    static let epollCtl: EpollCtl = bind("epoll_ctl")
    static let epollWait: EpollWait = bind("epoll_wait")
    static let eventfd: EventFD = bind("eventfd")
    static let accept4: Accept4 = bind("accept4")
    static let gettid: GetTID = bind("gettid")
    static let setThreadName: SetThreadName = bind("pthread_setname_np")

    static let EPOLLIN: UInt32 = 0x001
    static let EPOLLOUT: UInt32 = 0x004
    static let EPOLLERR: UInt32 = 0x008
    static let EPOLLHUP: UInt32 = 0x010
    static let EPOLL_CTL_ADD: Int32 = 1
    static let EPOLL_CTL_DEL: Int32 = 2
    static let EPOLL_CTL_MOD: Int32 = 3
    static let O_CLOEXEC: Int32 = 0o2000000
    static let O_NONBLOCK: Int32 = 0o4000
    /// `struct epoll_event` is packed on x86_64: `u32 events`, then the `u64` data, 12 bytes.
    static let epollEventSize = 12

    private static func bind<T>(_ name: String) -> T {
        // RTLD_DEFAULT is the null handle on glibc.
        guard let symbol = dlsym(nil, name) else {
            fatalError("VigilNet needs Linux with glibc 2.30 or later: the C library has no \(name)")
        }
        return unsafeBitCast(symbol, to: T.self)
    }
}

/// The current `errno` as a readable phrase, e.g. "Connection refused (errno 111)".
func errnoDescription(_ code: Int32 = errno) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
