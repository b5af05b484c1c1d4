#if canImport(Glibc)
@preconcurrency import Glibc
#endif
import Foundation

/// A blocking TCP socket on 127.0.0.1, for the test host and the WebDriver client (test code only:
/// each is used from one dedicated thread, never from the cooperative pool's reads).
public final class LoopbackSocket: @unchecked Sendable {
    public let fd: Int32

    public init(fd: Int32) { self.fd = fd }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
    }

    private static func address(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// A listening socket on 127.0.0.1 and a free port.
    public static func listen() throws -> (LoopbackSocket, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = address(port: 0)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, Glibc.listen(fd, 64) == 0 else { close(fd); throw Failure("bind/listen on 127.0.0.1") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return (LoopbackSocket(fd: fd), UInt16(bigEndian: address.sin_port))
    }

    /// A connection to 127.0.0.1:`port`.
    public static func connect(port: UInt16) throws -> LoopbackSocket {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket") }
        var address = address(port: port)
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { close(fd); throw Failure("connect to 127.0.0.1:\(port)") }
        return LoopbackSocket(fd: fd)
    }

    /// Accepts one connection (nil once the listener is shut down).
    public func accept() -> LoopbackSocket? {
        let client = Glibc.accept(fd, nil, nil)
        return client >= 0 ? LoopbackSocket(fd: client) : nil
    }

    /// Sets how long a read may block before it returns with nothing (for the host's timer ticks).
    public func setReadTimeout(milliseconds: Int) {
        var value = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    public enum ReadResult { case bytes([UInt8]), timedOut, closed }

    public func read(max: Int = 65536) -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: max)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count > 0 { return .bytes(Array(buffer[0..<count])) }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) { return .timedOut }
        return .closed
    }

    /// Writes everything; false if the peer went away.
    @discardableResult
    public func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Stops reads and accepts on every thread (they return), without freeing the descriptor yet.
    public func shutdownBoth() { shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { close(fd) }
}
