import Foundation
import Testing

/// `vigil desk add-officer | remove-officer | list-officers`, run as a real process.
@Suite("vigil desk officer commands")
struct DeskCommandTests {
    @Test("add with --password-stdin, list, refuse duplicates and weak passwords, replace, remove; the file is 0600 and holds no password")
    func officers() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("node")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let added = try CLIHarness.vigil(["desk", "add-officer", "j.dupont", "--dir", dir, "--password-stdin"], stdin: Data("correct horse battery\n".utf8))
        #expect(added.status == 0, "\(added.stderr)")
        let path = dir + "/desk-officers.json"
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\"j.dupont\"") && !text.contains("horse"))

        let again = try CLIHarness.vigil(["desk", "add-officer", "j.dupont", "--dir", dir, "--password-stdin"], stdin: Data("another long password\n".utf8))
        #expect(again.status == 1 && again.stderr.contains("exists already"))
        let weak = try CLIHarness.vigil(["desk", "add-officer", "m.peeters", "--dir", dir, "--password-stdin"], stdin: Data("short\n".utf8))
        #expect(weak.status == 1 && weak.stderr.contains("at least 12"))
        let badName = try CLIHarness.vigil(["desk", "add-officer", "<b>", "--dir", dir, "--password-stdin"], stdin: Data("correct horse battery\n".utf8))
        #expect(badName.status == 1 && badName.stderr.contains("not allowed"))
        let noTerminal = try CLIHarness.vigil(["desk", "add-officer", "m.peeters", "--dir", dir])
        #expect(noTerminal.status == 2 && noTerminal.stderr.contains("--password-stdin"))
        let replaced = try CLIHarness.vigil(["desk", "add-officer", "j.dupont", "--dir", dir, "--password-stdin", "--replace"], stdin: Data("another long password\n".utf8))
        #expect(replaced.status == 0 && replaced.stdout.contains("new password"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) != text)

        let list = try CLIHarness.vigil(["desk", "list-officers", "--dir", dir, "--json"])
        #expect(list.status == 0 && list.stdout.contains("\"name\" : \"j.dupont\"") || list.stdout.contains("\"name\":\"j.dupont\""))
        #expect(!list.stdout.contains("hash"))

        let removed = try CLIHarness.vigil(["desk", "remove-officer", "j.dupont", "--dir", dir])
        #expect(removed.status == 0)
        let gone = try CLIHarness.vigil(["desk", "remove-officer", "j.dupont", "--dir", dir])
        #expect(gone.status == 1 && gone.stderr.contains("no officer called j.dupont"))
        #expect(try CLIHarness.vigil(["desk", "list-officers", "--dir", dir]).stdout.contains("no desk officers yet"))
    }

    @Test("an officer file other users can read is refused with the chmod to run")
    func unsafeMode() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("node")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/desk-officers.json"
        _ = FileManager.default.createFile(atPath: path, contents: Data(#"{"format":"vigil-desk-officers","version":1,"officers":[]}"#.utf8), attributes: [.posixPermissions: 0o644])
        let list = try CLIHarness.vigil(["desk", "list-officers", "--dir", dir])
        #expect(list.status == 3 && list.stderr.contains("chmod 600"))
    }
}
