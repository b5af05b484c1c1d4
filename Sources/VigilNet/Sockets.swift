import Glibc

/// Non-blocking TCP socket calls. Every descriptor is created non-blocking and close-on-exec; every
/// send uses `MSG_NOSIGNAL`, so a peer that vanished is an error code, never a SIGPIPE.
enum Sockets {
    private static let streamFlags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)

    /// A listening socket bound to `address` (SO_REUSEADDR; an IPv6 socket is IPv6-only), and the
    /// address it is bound to (the port the kernel chose when `address` has port 0).
    static func listen(on address: SocketAddress, backlog: Int32) throws(NetworkError) -> (fd: Int32, bound: SocketAddress) {
        let fd = socket(address.family, streamFlags, 0)
        guard fd >= 0 else { throw NetworkError(.system, "cannot create a socket to listen on \(address): \(errnoDescription())") }
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        if address.family == AF_INET6 {
            _ = setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        let bound = address.withSockAddr { bind(fd, $0, $1) }
        if bound != 0 {
            let code = errno
            close(fd)
            let hint = code == EADDRINUSE ? "; another process is using it: pick another port or stop that process"
                : code == EADDRNOTAVAIL ? "; the address is not on this machine" : ""
            throw NetworkError(.bind, "cannot listen on \(address): \(errnoDescription(code))\(hint)")
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let reason = errnoDescription()
            close(fd)
            throw NetworkError(.bind, "cannot listen on \(address): \(reason)")
        }
        guard let local = localAddress(fd) else {
            close(fd)
            throw NetworkError(.system, "cannot read the address of the socket listening on \(address)")
        }
        return (fd, local)
    }

    /// The outcome of starting a connection.
    enum ConnectStart {
        /// Connected at once (possible on loopback).
        case connected(Int32)
        /// In progress: wait for the socket to become writable, then read `connectError`.
        case inProgress(Int32)
        /// Failed with this reason; no descriptor is left open.
        case failed(String)
    }

    /// Starts a non-blocking connection to `address`.
    static func connect(to address: SocketAddress) -> ConnectStart {
        let fd = socket(address.family, streamFlags, 0)
        guard fd >= 0 else { return .failed("cannot create a socket: \(errnoDescription())") }
        setNoDelay(fd)
        let result = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        if result == 0 { return .connected(fd) }
        let code = errno
        if code == EINPROGRESS || code == EINTR { return .inProgress(fd) }
        close(fd)
        return .failed(errnoDescription(code))
    }

    /// The result of a finished non-blocking connect: 0 or an errno value.
    static func connectError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0 else { return errno }
        return code
    }

    /// Accepts one pending connection: its descriptor and the peer's address, `.wouldBlock` when none
    /// is pending, or the errno of a failure.
    enum AcceptResult {
        case accepted(Int32, SocketAddress?)
        case wouldBlock
        case failed(Int32)
    }

    static func accept(_ listener: Int32) -> AcceptResult {
        var raw = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = withUnsafeMutablePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                LinuxCalls.accept4(listener, $0, &length, Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue))
            }
        }
        if fd >= 0 {
            setNoDelay(fd)
            return .accepted(fd, SocketAddress(raw))
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
        return .failed(code)
    }

    /// The address a socket is bound to.
    static func localAddress(_ fd: Int32) -> SocketAddress? {
        var raw = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &raw) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return ok == 0 ? SocketAddress(raw) : nil
    }

    /// Small frames go out at once: the loop already batches what it writes.
    static func setNoDelay(_ fd: Int32) {
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Limits the bytes waiting unsent in the kernel (TCP_NOTSENT_LOWAT, Linux option 25).
    static func setUnsentLowWater(_ fd: Int32, _ bytes: Int) {
        var value = Int32(clamping: bytes)
        _ = setsockopt(fd, Int32(IPPROTO_TCP), 25, &value, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The outcome of one read.
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        case endOfStream
        case failed(Int32)
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> ReadResult {
        while true {
            let n = recv(fd, buffer.baseAddress, buffer.count, 0)
            if n > 0 { return .bytes(n) }
            if n == 0 { return .endOfStream }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .wouldBlock }
            return .failed(code)
        }
    }

    /// Writes as much of `bytes` as the socket takes now: the count written (possibly 0), or an errno.
    static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Result<Int, Errno> {
        while true {
            let n = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .success(n) }
            let code = errno
            if code == EINTR { continue }
            if code == EAGAIN || code == EWOULDBLOCK { return .success(0) }
            return .failure(Errno(code: code))
        }
    }

    /// An errno value as an `Error`.
    struct Errno: Error {
        let code: Int32
        var description: String { errnoDescription(code) }
    }
}
