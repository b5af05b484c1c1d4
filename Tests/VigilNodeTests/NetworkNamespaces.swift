import Foundation

/// Network namespaces and veth links for process tests (`ip netns`, root only), removed at the end.
///
/// Each namespace gets its loopback up; `link` joins two namespaces with a veth pair, `10.77.N.1/24`
/// on the first side and `10.77.N.2/24` on the second (addresses exist only inside the two
/// namespaces, so tests running at once do not collide). `setLink` cuts or restores a link by
/// setting both ends down or up: a connect over it then fails at once (no route), and an open TCP
/// connection hears nothing until its idle timeout.
final class NetworkNamespaces {
    /// The iproute2 `ip` executable, if installed.
    static let ip: String? = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Why namespaces cannot be made here (nil: they can): tried once with a probe namespace.
    static let unavailableReason: String? = {
        guard let ip else { return "the `ip` command (Debian package iproute2) is not installed" }
        guard geteuid() == 0 else { return "network namespaces need root" }
        let probe = "vglprobe\(getpid())"
        guard let made = try? FederationHarness.run(URL(fileURLWithPath: ip), ["netns", "add", probe]), made.status == 0 else {
            return "`ip netns add` failed here (no CAP_SYS_ADMIN in this container?)"
        }
        _ = try? FederationHarness.run(URL(fileURLWithPath: ip), ["netns", "del", probe])
        return nil
    }()

    let prefix = "vgl" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
    private(set) var created: [String] = []
    let ip: String

    /// Creates one namespace per name.
    init(_ names: [String]) throws {
        guard let ip = Self.ip else { throw HarnessError("no ip command") }
        self.ip = ip
        for name in names {
            try run(["netns", "add", namespace(name)])
            created.append(namespace(name))
            try run(["netns", "exec", namespace(name), ip, "link", "set", "lo", "up"])
        }
    }

    deinit {
        for ns in created { _ = try? FederationHarness.run(URL(fileURLWithPath: ip), ["netns", "del", ns]) }
    }

    /// The namespace's full name.
    func namespace(_ name: String) -> String { "\(prefix)-\(name)" }

    /// Address `side` (1 or 2) of link `subnet`.
    static func address(subnet: Int, side: Int) -> String { "10.77.\(subnet).\(side)" }

    /// A veth pair `device`1 (in `a`, address .1) – `device`2 (in `b`, address .2), both up.
    func link(_ a: String, _ b: String, device: String, subnet: Int) throws {
        try run(["netns", "exec", namespace(a), ip, "link", "add", device + "1", "type", "veth", "peer", "name", device + "2", "netns", namespace(b)])
        for (side, ns) in [(1, a), (2, b)] {
            try run(["netns", "exec", namespace(ns), ip, "addr", "add", Self.address(subnet: subnet, side: side) + "/24", "dev", device + "\(side)"])
            try run(["netns", "exec", namespace(ns), ip, "link", "set", device + "\(side)", "up"])
        }
    }

    /// Cuts (`up` false) or restores the link `device` between `a` and `b`.
    func setLink(_ a: String, _ b: String, device: String, up: Bool) throws {
        for (side, ns) in [(1, a), (2, b)] {
            try run(["netns", "exec", namespace(ns), ip, "link", "set", device + "\(side)", up ? "up" : "down"])
        }
    }

    private func run(_ arguments: [String]) throws {
        let result = try FederationHarness.run(URL(fileURLWithPath: ip), arguments)
        guard result.status == 0 else { throw HarnessError("ip \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)") }
    }
}
