import Foundation
import Testing
@testable import VigilCAP

/// The CAP test data in `../shared/testdata/cap/` beside the checkout, read in place.
enum CAPFixtures {
    /// The repository root: three levels up from this file (Tests/VigilCAPTests/File.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/testdata/cap`.
    static let directory = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/testdata/cap")

    /// The schema, `cap12.xsd`.
    static let schema = directory.appendingPathComponent("cap12.xsd")

    /// The sample file names.
    static let samples = [
        "google_australia.xml", "google_canada_signed.xml", "google_wcatwc-warning.xml",
        "oasis_spec_appendixA1.xml", "oasis_spec_appendixA2.xml", "oasis_spec_appendixA3.xml", "oasis_spec_appendixA4.xml",
    ]

    static func sample(_ name: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("samples").appendingPathComponent(name))
    }

    static func invalid() throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent("invalid/google_invalid.xml"))
    }

    /// Runs the error through `parse` and returns the CAPError, or records a failure.
    static func refusal(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
        do {
            let alert = try CAPParser.parse(data)
            Issue.record("expected a refusal, got alert \(alert.identifier)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    static func refusal(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CAPError? {
        refusal(Data(text.utf8), sourceLocation: sourceLocation)
    }

    /// A minimal valid CAP 1.2 document; `info` is spliced into `<info>`'s place.
    static func document(alertFields: String? = nil, info: String = defaultInfo) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          \(alertFields ?? defaultAlertFields)
          \(info)
        </alert>
        """
    }

    static let defaultAlertFields = """
        <identifier>T-1</identifier><sender>ops@example.org</sender><sent>2024-05-01T10:00:00+02:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
        """

    static let defaultInfo = info()

    static func info(area: String = "<area><areaDesc>Town</areaDesc></area>", urgency: String = "Immediate", event: String = "Flood") -> String {
        """
        <info><category>Met</category><event>\(event)</event><urgency>\(urgency)</urgency><severity>Severe</severity>
            <certainty>Likely</certainty>\(area)</info>
        """
    }
}

/// Validates XML against cap12.xsd with `xmllint --nonet --noout --schema`.
enum XMLLint {
    static let candidates = ["/usr/bin/xmllint", "/usr/local/bin/xmllint", "/bin/xmllint"]

    /// nil when valid; otherwise xmllint's complaint. Records a failure (not a skip) when xmllint is missing.
    static func problems(_ xml: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils) to validate CAP output against cap12.xsd", sourceLocation: sourceLocation)
            return "xmllint missing"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cap-\(UUID().uuidString).xml")
        try xml.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--nonet", "--noout", "--schema", CAPFixtures.schema.path, file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: output, as: UTF8.self)
    }

    /// Validates many documents with one xmllint run; returns the complaints of the invalid ones, by index.
    static func problems(batch documents: [Data], sourceLocation: SourceLocation = #_sourceLocation) throws -> [Int: String] {
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils) to validate CAP output against cap12.xsd", sourceLocation: sourceLocation)
            return [-1: "xmllint missing"]
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-cap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var paths: [String] = []
        for (i, d) in documents.enumerated() {
            let file = dir.appendingPathComponent("doc\(i).xml")
            try d.write(to: file)
            paths.append(file.path)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--nonet", "--noout", "--schema", CAPFixtures.schema.path] + paths
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var result: [Int: String] = [:]
        for line in output.split(separator: "\n") where !line.hasSuffix(" validates") {
            guard let range = line.range(of: "/doc"), let dot = line[range.upperBound...].firstIndex(of: "."),
                  let i = Int(line[range.upperBound..<dot]) else { continue }
            result[i, default: ""] += line + "\n"
        }
        if process.terminationStatus != 0 && result.isEmpty { result[-1] = output }
        return result
    }
}
