import VigilAPI

/// A communication test's results as CSV (RFC 4180) for the March and September exercise reports: one
/// row per responder. Every cell is quoted; a cell that a spreadsheet would read as a formula (starting
/// with `=`, `+`, `-`, `@`, tab or CR) gets a leading apostrophe, since member names and notes come from
/// other organisations. Pure.
public enum CommTestCSV {
    /// The header row's columns.
    public static let columns = ["test", "sent", "deadline_note", "member", "status", "late", "received", "automatic_delay_ms",
                                 "confirmed", "officer_delay_ms", "officer"]

    /// The CSV text, CR LF line ends, header first.
    public static func render(_ report: CommTestReport) -> String {
        var rows = [columns]
        for r in report.results {
            rows.append([report.summary.id.hex, report.summary.time, report.summary.summary, r.member, r.status.rawValue, r.late ? "yes" : "no",
                         r.received ?? "", r.automaticDelayMs.map(String.init) ?? "", r.confirmed ?? "", r.officerDelayMs.map(String.init) ?? "",
                         r.officer ?? ""])
        }
        return rows.map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ text: String) -> String {
        var value = text
        if let first = value.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) { value = "'" + value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
