import Foundation
import Testing

/// Scripts/vigil@.service (the packaged template unit) must keep its hardening: an edit that drops an option fails here.
@Suite("Scripts/vigil@.service keeps its security options")
struct ServiceUnitTests {
    /// `key=value` lines of the unit (comments and section headers skipped), in order; repeated keys kept.
    static func options() throws -> [(key: String, value: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Scripts/vigil@.service"), encoding: .utf8)
        return text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";"), !line.hasPrefix("["),
                  let eq = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<eq]).trimmingCharacters(in: .whitespaces), String(line[line.index(after: eq)...]).trimmingCharacters(in: .whitespaces))
        }
    }

    static func values(_ key: String) throws -> [String] { try options().filter { $0.key == key }.map(\.value) }

    @Test("every hardening option is present with its value", arguments: [
        ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"), ("ProtectKernelTunables", "yes"), ("ProtectKernelModules", "yes"),
        ("ProtectKernelLogs", "yes"), ("ProtectControlGroups", "yes"), ("ProtectClock", "yes"), ("ProtectHostname", "yes"),
        ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"), ("RestrictNamespaces", "yes"), ("LockPersonality", "yes"),
        ("MemoryDenyWriteExecute", "yes"), ("RestrictRealtime", "yes"), ("RestrictSUIDSGID", "yes"),
        ("SystemCallArchitectures", "native"), ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""),
        ("UMask", "0077"), ("User", "vigil"), ("Type", "simple"), ("Restart", "on-failure"), ("RestartSec", "5"),
        ("KillSignal", "SIGTERM"), ("LimitNOFILE", "65536"),
    ])
    func option(_ key: String, _ expected: String) throws {
        let found = try Self.values(key)
        #expect(found.count == 1, "\(key) appears \(found.count) times")
        #expect(found.last == expected, "\(key)=\(found.last ?? "(missing)"), expected \(key)=\(expected)")
    }

    @Test("the system call filter allows @system-service and denies @privileged and @resources")
    func systemCallFilter() throws {
        let filters = try Self.values("SystemCallFilter")
        #expect(filters.contains("@system-service"))
        let denied = filters.filter { $0.hasPrefix("~") }.flatMap { $0.dropFirst().split(separator: " ").map(String.init) }
        #expect(Set(denied).isSuperset(of: ["@privileged", "@resources"]), "denied: \(denied)")
        // An allow-list entry after the deny list would re-allow; nothing else may widen it.
        #expect(filters.filter { !$0.hasPrefix("~") } == ["@system-service"])
    }

    @Test("only the node directory and the metrics directory are writable")
    func writablePaths() throws {
        let paths = try Self.values("ReadWritePaths").flatMap { $0.split(separator: " ").map { String($0.drop { $0 == "-" }) } }
        #expect(Set(paths) == ["/var/lib/vigil/%i", "/var/lib/node_exporter/textfile_collector"])
    }

    @Test("each instance runs /usr/bin/vigil on its own node directory and stops gracefully in time")
    func execAndStop() throws {
        #expect(try Self.values("ExecStart") == ["/usr/bin/vigil run --dir /var/lib/vigil/%i --metrics /var/lib/node_exporter/textfile_collector/vigil-%i.prom"])
        let timeout = try #require(try Self.values("TimeoutStopSec").last.flatMap { Int($0) })
        #expect(timeout >= 10, "TimeoutStopSec=\(timeout) leaves no time for a graceful stop")
        #expect(try Self.values("AmbientCapabilities").allSatisfy(\.isEmpty))
        #expect(try !Self.options().contains { $0.key == "User" && $0.value == "root" })
    }
}
