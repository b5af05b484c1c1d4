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
        var parts = tm()
        var seconds = t.tv_sec
        gmtime_r(&seconds, &parts)
        return timestamp(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday), hour: Int(parts.tm_hour),
                         minute: Int(parts.tm_min), second: Int(parts.tm_sec), millisecond: Int(t.tv_nsec / 1_000_000))
    }

    /// `YYYY-MM-DDTHH:MM:SS.mmmZ` from its parts (digits written directly: `String(format:)` cost more than
    /// the rest of a log line).
    static func timestamp(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int) -> String {
        var out = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, _ width: Int, at start: Int) {
            var v = value
            for i in stride(from: start + width - 1, through: start, by: -1) {
                out[i] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
            }
        }
        put(year, 4, at: 0)
        out[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        out[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        out[10] = UInt8(ascii: "T")
        put(hour, 2, at: 11)
        out[13] = UInt8(ascii: ":")
        put(minute, 2, at: 14)
        out[16] = UInt8(ascii: ":")
        put(second, 2, at: 17)
        out[19] = UInt8(ascii: ".")
        put(millisecond, 3, at: 20)
        out[23] = UInt8(ascii: "Z")
        return String(decoding: out, as: UTF8.self)
    }
}
