import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Clocks and process figures for benchmarks.
public enum BenchClock {
    /// Seconds on `clock` (CLOCK_MONOTONIC for elapsed time, CLOCK_THREAD_CPUTIME_ID for CPU time).
    public static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Seconds `body` took on the monotonic clock, and its result.
    public static func time<T>(_ body: () throws -> T) rethrows -> (seconds: Double, value: T) {
        let start = now()
        let value = try body()
        return (now() - start, value)
    }

    /// A field of /proc/PROCESS/status in bytes (VmRSS, VmHWM, …), or 0; PROCESS is a pid or `self`.
    public static func statusBytes(_ field: String, process: String = "self") -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return 0 }
        let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
        return kb * 1024
    }
}

/// One benchmark's table for people, and with `--json` one JSON object of figures on the last line.
public struct BenchReport {
    /// One row: a figure, its limit, the ratio and whether it meets the target.
    public struct Row {
        let name: String
        let value: String
        let limit: String
        let ratio: String
        let verdict: String
    }

    private var rows: [Row] = []
    /// Every figure, for the JSON line.
    public private(set) var figures: [String: Double] = [:]
    /// Whether every target was met.
    public private(set) var allPassed = true
    /// The title.
    public let title: String

    /// A report called `title`.
    public init(title: String) { self.title = title }

    /// Records a figure without a target.
    public mutating func note(_ key: String, _ label: String, _ value: Double, unit: String, digits: Int = 0) {
        figures[key] = value
        rows.append(Row(name: label, value: Self.format(value, digits) + " " + unit, limit: "", ratio: "", verdict: ""))
    }

    /// Records a figure whose ratio to `limit` must be at least `target` (higher is better).
    public mutating func atLeast(_ key: String, _ label: String, _ value: Double, unit: String, limit: Double, limitLabel: String, target: Double) {
        let ratio = limit > 0 ? value / limit : 0
        figures[key] = value
        figures[key + "_ratio"] = ratio
        let pass = ratio >= target
        allPassed = allPassed && pass
        rows.append(Row(name: label, value: Self.format(value, 0) + " " + unit, limit: limitLabel,
                        ratio: String(format: "%.2f", ratio), verdict: (pass ? "PASS" : "FAIL") + String(format: " (≥ %.2f)", target)))
    }

    /// Records a figure and its ratio to `limit` that has no target of its own (shown for comparison; `why`
    /// says so in the target column).
    public mutating func ratio(_ key: String, _ label: String, _ value: Double, unit: String, limit: Double, limitLabel: String, why: String) {
        let ratio = limit > 0 ? value / limit : 0
        figures[key] = value
        figures[key + "_ratio"] = ratio
        rows.append(Row(name: label, value: Self.format(value, 0) + " " + unit, limit: limitLabel,
                        ratio: String(format: "%.2f", ratio), verdict: why))
    }

    /// Records a figure that must be at most `limit` (lower is better); the ratio is value / limit.
    public mutating func atMost(_ key: String, _ label: String, _ value: Double, unit: String, limit: Double, digits: Int = 2) {
        let ratio = limit > 0 ? value / limit : 0
        figures[key] = value
        figures[key + "_ratio"] = ratio
        let pass = value <= limit
        allPassed = allPassed && pass
        rows.append(Row(name: label, value: Self.format(value, digits) + " " + unit, limit: Self.format(limit, digits) + " " + unit,
                        ratio: String(format: "%.2f", ratio), verdict: (pass ? "PASS" : "FAIL") + " (≤ 1.00)"))
    }

    /// Prints the table, and the JSON line when `json`.
    public func print(json: Bool, extra: [String: String] = [:]) {
        let header = ["figure", "value", "limit", "ratio", "target"]
        let table = [header] + rows.map { [$0.name, $0.value, $0.limit, $0.ratio, $0.verdict] }
        let widths = (0..<5).map { c in table.map { $0[c].count }.max() ?? 0 }
        Swift.print(title)
        for (i, row) in table.enumerated() {
            Swift.print(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  "))
            if i == 0 { Swift.print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        Swift.print(allPassed ? "all targets met" : "SOME TARGETS MISSED")
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let line = JSONLine(figures: figures, extra: extra, allPassed: allPassed)
            let data = (try? encoder.encode(line)) ?? Data("{}".utf8)
            Swift.print(String(decoding: data, as: UTF8.self))
        }
    }

    /// The `--json` line: every figure, the run's notes and the verdict, as one flat object.
    struct JSONLine: Encodable {
        let figures: [String: Double]
        let extra: [String: String]
        let allPassed: Bool

        struct Key: CodingKey {
            let stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            for (k, v) in figures { try c.encode(v, forKey: Key(stringValue: k)) }
            for (k, v) in extra { try c.encode(v, forKey: Key(stringValue: k)) }
            try c.encode(allPassed, forKey: Key(stringValue: "all_targets_met"))
        }
    }

    static func format(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }
}

/// A benchmark could not run: what went wrong.
public struct BenchError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
