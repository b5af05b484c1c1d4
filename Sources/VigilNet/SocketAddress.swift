import Glibc

/// An IPv4 or IPv6 address with a port, as the kernel wants it.
struct SocketAddress: Sendable, CustomStringConvertible {
    private enum Storage: Sendable {
        case v4(sockaddr_in)
        case v6(sockaddr_in6)
    }

    private let storage: Storage

    /// `AF_INET` or `AF_INET6`.
    var family: Int32 {
        switch storage {
        case .v4: AF_INET
        case .v6: AF_INET6
        }
    }

    /// The port.
    var port: UInt16 {
        switch storage {
        case .v4(let a): UInt16(bigEndian: a.sin_port)
        case .v6(let a): UInt16(bigEndian: a.sin6_port)
        }
    }

    /// Whether the address is this machine's loopback: 127.0.0.0/8, `::1`, or 127.x mapped into IPv6.
    var isLoopback: Bool {
        switch storage {
        case .v4(let a):
            return UInt32(bigEndian: a.sin_addr.s_addr) >> 24 == 127
        case .v6(var a):
            return withUnsafeBytes(of: &a.sin6_addr) { bytes in
                let prefix = bytes.prefix(10).allSatisfy { $0 == 0 }
                return (prefix && bytes[10] == 0 && bytes[11] == 0 && bytes[12...14].allSatisfy { $0 == 0 } && bytes[15] == 1)
                    || (prefix && bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[12] == 127)
            }
        }
    }

    /// `127.0.0.1:7000` or `[::1]:7000`.
    var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch storage {
        case .v4(var a):
            _ = inet_ntop(AF_INET, &a.sin_addr, &text, socklen_t(text.count))
            return "\(Self.string(text)):\(port)"
        case .v6(var a):
            _ = inet_ntop(AF_INET6, &a.sin6_addr, &text, socklen_t(text.count))
            return "[\(Self.string(text))]:\(port)"
        }
    }

    private static func string(_ text: [CChar]) -> String {
        String(decoding: text.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A numeric address (`127.0.0.1`, `::1`, `[::1]`), or nil if `host` is a name.
    init?(numericHost host: String, port: UInt16) {
        var host = host
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            storage = .v4(v4)
            return
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            storage = .v6(v6)
            return
        }
        return nil
    }

    /// The address a socket call filled in, if it is IPv4 or IPv6.
    init?(_ raw: sockaddr_storage) {
        var raw = raw
        switch Int32(raw.ss_family) {
        case AF_INET:
            storage = .v4(withUnsafeBytes(of: &raw) { $0.loadUnaligned(as: sockaddr_in.self) })
        case AF_INET6:
            storage = .v6(withUnsafeBytes(of: &raw) { $0.loadUnaligned(as: sockaddr_in6.self) })
        default:
            return nil
        }
    }

    /// Every address `host` stands for: a numeric address as is, a name through `getaddrinfo`
    /// (which may block on DNS: never call it on the loop thread).
    static func resolve(host: String, port: UInt16, passive: Bool = false) throws(NetworkError) -> [SocketAddress] {
        if let numeric = SocketAddress(numericHost: host, port: port) { return [numeric] }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw NetworkError(.address, "cannot resolve host \"\(host)\": \(String(cString: gai_strerror(status))); give a numeric address or a name this machine can resolve")
        }
        defer { freeaddrinfo(first) }
        var out: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr {
                var raw = sockaddr_storage()
                withUnsafeMutableBytes(of: &raw) { target in
                    target.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(Int(entry.pointee.ai_addrlen), target.count)))
                }
                if let parsed = SocketAddress(raw) { out.append(parsed) }
            }
            cursor = entry.pointee.ai_next
        }
        guard !out.isEmpty else { throw NetworkError(.address, "host \"\(host)\" has no IPv4 or IPv6 address") }
        return out
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        switch storage {
        case .v4(var a):
            withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        case .v6(var a):
            withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        }
    }
}
