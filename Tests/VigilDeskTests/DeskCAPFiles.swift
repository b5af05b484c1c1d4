import Foundation
import Testing

/// The CAP test data in `../shared/testdata/cap/` beside the checkout, read in place, and the OASIS
/// schema check with `xmllint --schema` (Debian's libxml2-utils; a test tool, not the product's).
enum DeskCAPFiles {
    /// `../shared/testdata/cap`: the repository root is three levels up from this file.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/testdata/cap")

    /// A sample document's path.
    static func samplePath(_ name: String) -> String { directory.appendingPathComponent("samples/\(name)").path }

    /// A sample document.
    static func sample(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: samplePath(name))) }

    /// A CAP alert with a DTD that declares an external entity (an XXE attempt).
    static let hostile = Data("""
        <?xml version="1.0"?>
        <!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>
        """.utf8)

    /// nil when `xml` is valid against cap12.xsd; otherwise xmllint's complaint. A missing xmllint is a failure.
    static func schemaProblems(_ xml: Data) throws -> String? {
        guard let tool = ["/usr/bin/xmllint", "/usr/local/bin/xmllint"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("xmllint is not installed: install libxml2-utils (apt-get install -y libxml2-utils) to validate CAP output against cap12.xsd")
            return "xmllint missing"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-desk-cap-\(UUID().uuidString).xml")
        try xml.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--nonet", "--noout", "--schema", directory.appendingPathComponent("cap12.xsd").path, file.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let output = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? nil : String(decoding: output, as: UTF8.self)
    }
}
