import Foundation
import Synchronization
import VigilModel

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
    public init(node: String, sink: @escaping @Sendable (String) -> Void = NodeLog.standardError) {
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
        // Most values (ids, names, counts) are printable ASCII without a quote or '=': checked byte by
        // byte, without splitting the string into characters.
        if !v.isEmpty && v.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != 0x22 && $0 != 0x3d }) { return v }
        if !v.isEmpty && !v.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }) { return v }
        return "\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    /// Writes a line and its newline to standard error with one write(2) (no Foundation objects: a node
    /// logs every post).
    public static let standardError: @Sendable (String) -> Void = { line in
        var text = line + "\n"
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return }
                offset += n
            }
        }
    }

    /// The current UTC time as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    static func timestamp() -> String {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return EntryJSON.iso8601(milliseconds: UInt64(t.tv_sec) * 1000 + UInt64(t.tv_nsec / 1_000_000))
    }
}
