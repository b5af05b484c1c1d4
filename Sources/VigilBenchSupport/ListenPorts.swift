import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listening port on 127.0.0.1 for a benchmark node, from outside the kernel's ephemeral port range.
///
/// A port the kernel picked for a bind to port 0 comes from the ephemeral range, so between its release
/// here and the node's bind, an outgoing connection (30 nodes dial each other) can take it: "Address
/// already in use". Ports below that range (or above it) are never given to outgoing connections. Each
/// candidate is checked by binding it (without SO_REUSEADDR, so a port in TIME_WAIT is skipped too);
/// the walk starts at an offset from the process id, so two benchmarks at once rarely try the same ports.
public func freePort() throws -> Int { try ListenPorts.shared.take() }

/// Hands out listening ports outside the ephemeral range, each once per run (see `freePort`).
public final class ListenPorts: @unchecked Sendable {
    /// The one instance of the process (ports are handed out once per run).
    public static let shared = ListenPorts()
    private let lock = NSLock()
    private let range: ClosedRange<Int>
    private var next: Int

    init() {
        let (low, high) = Self.ephemeralRange()
        let below = max(1024, low - 16_384)...max(1024, low - 1)
        let above = min(65_535, high + 1)...65_535
        range = below.count >= above.count ? below : above
        next = range.lowerBound + Int(getpid()) % range.count
    }

    /// The next port in the range that can be bound now.
    public func take() throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        for _ in 0..<range.count {
            let port = next
            next = next == range.upperBound ? range.lowerBound : next + 1
            if Self.canBind(port) { return port }
        }
        throw ListenPortsError("no free port on 127.0.0.1 in \(range.lowerBound)…\(range.upperBound) (outside the ephemeral range of /proc/sys/net/ipv4/ip_local_port_range); stop what listens there or widen that gap")
    }

    /// /proc/sys/net/ipv4/ip_local_port_range, or Linux's default (32768–60999) when it cannot be read.
    static func ephemeralRange() -> (Int, Int) {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let numbers = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).compactMap { Int($0) }
        guard numbers.count == 2, numbers[0] >= 1, numbers[0] <= numbers[1], numbers[1] <= 65_535 else { return (32_768, 60_999) }
        return (numbers[0], numbers[1])
    }

    static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// No port outside the ephemeral range could be bound.
public struct ListenPortsError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
