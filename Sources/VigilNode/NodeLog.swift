import Foundation
import Synchronization

/// Structured log lines, one event per line: `time=… level=… event=… key=value …`, values quoted when
/// they hold spaces. Written to standard error (journald picks it up under systemd).
public final class NodeLog: Sendable {
    /// Severity.
    public enum Level: String, Sendable { case debug, info, warning, error }

    private let sink: @Sendable (String) -> Void
    private let counters = Mutex<[String: Int]>([:])
    /// The node's name, on every line.
    public let node: String

    /// A log for `node` writing to `sink` (standard error by default).
    public init(node: String, sink: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.node = node
        self.sink = sink
    }

    /// Writes one event and counts it (the counts feed the metrics).
    public func event(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        counters.withLock { $0[event, default: 0] += 1 }
        var line = "time=\(Self.timestamp()) level=\(level.rawValue) node=\(node) event=\(event)"
        for (k, v) in fields { line += " \(k)=\(Self.quote(v))" }
        sink(line)
    }

    /// How many times each event was logged.
    public var counts: [String: Int] { counters.withLock { $0 } }

    static func quote(_ v: String) -> String {
        if !v.isEmpty && !v.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return v }
        return "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    static func timestamp() -> String {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        var parts = tm()
        var seconds = t.tv_sec
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), Int(t.tv_nsec / 1_000_000))
    }
}
