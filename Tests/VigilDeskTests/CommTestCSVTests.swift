import Testing
import VigilAPI
import VigilDesk
import VigilModel

/// The comm-test CSV for the exercise reports: a header, one quoted row per responder, quotes doubled,
/// and cells a spreadsheet would run as formulas defused.
@Suite("Comm-test CSV")
struct CommTestCSVTests {
    @Test("one row per responder, every cell quoted, quotes doubled, formulas defused")
    func render() throws {
        let id = try #require(EntryID(hex: String(repeating: "a", count: 64)))
        let summary = EntrySummary(id: id, kind: "commtest", time: "2026-12-01T09:00:00Z", timeMs: 1, hlc: "1.0", author: "ncc", organisation: "NCC",
                                   refs: [], audience: AudienceView(tlp: "TLP:GREEN", roles: [], organisations: [], nodes: []),
                                   fields: .object([:]), summary: "commtest \"March\"", amended: false, retracted: false)
        let report = CommTestReport(summary: summary, results: [
            CommTestResultView(member: "gov-antwerp", status: .confirmed, received: "2026-12-01T09:00:01Z", automaticDelayMs: 1000,
                               confirmed: "2026-12-01T09:02:00Z", officerDelayMs: 120_000, late: false, officer: "j.dupont"),
            CommTestResultView(member: "=HYPERLINK(\"x\")", status: .silent, received: nil, automaticDelayMs: nil, confirmed: nil,
                               officerDelayMs: nil, late: false),
            CommTestResultView(member: "nl-ncc", status: .received, received: "2026-12-01T09:20:00Z", automaticDelayMs: 1_200_000,
                               confirmed: nil, officerDelayMs: nil, late: true),
        ])
        let lines = CommTestCSV.render(report).components(separatedBy: "\r\n")
        #expect(lines.count == 5 && lines[4].isEmpty)
        #expect(lines[0] == CommTestCSV.columns.map { "\"\($0)\"" }.joined(separator: ","))
        #expect(lines[1] == #""\#(id.hex)","2026-12-01T09:00:00Z","commtest ""March""","gov-antwerp","confirmed","no","2026-12-01T09:00:01Z","1000","2026-12-01T09:02:00Z","120000","j.dupont""#)
        #expect(lines[2].contains(#""'=HYPERLINK(""x"")","silent","no","""#))
        #expect(lines[3].contains(#""nl-ncc","received","yes","2026-12-01T09:20:00Z","1200000","","","""#))
    }
}
