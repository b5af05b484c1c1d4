import Foundation
import Testing
import VigilModel

@Suite("vigil command line, run as a real process")
struct CLITests {
    @Test("--help, help COMMAND and unknown commands")
    func help() throws {
        let overview = try CLIHarness.vigil(["--help"])
        #expect(overview.status == 0)
        let commands = ["init", "id", "entry new", "entry inspect", "entry submit", "run", "status", "post", "list", "show", "follow",
                        "update", "ack", "commtest start", "commtest results", "roster", "roster add", "roster revoke", "roster rotate",
                        "import", "export", "store check", "store repair", "version", "completion", "desk add-officer", "desk remove-officer", "desk list-officers"]
        for command in commands { #expect(overview.stdout.contains(command), "\(command) is missing from vigil --help") }
        // Each command's name stands apart from its summary, however long the name.
        for command in commands {
            let line = overview.stdout.split(separator: "\n").first { $0.hasPrefix("  \(command)  ") }
            #expect(line != nil, "\(command) runs into its summary in vigil --help")
        }
        for command in commands {
            let words = command.split(separator: " ").map(String.init)
            let help = try CLIHarness.vigil(["help"] + words)
            #expect(help.status == 0, "help \(command)")
            #expect(help.stdout.contains("Usage: vigil \(command)"))
            #expect(help.stdout.contains("Examples:"))
            let flag = try CLIHarness.vigil(words + ["--help"])
            #expect(flag.stdout == help.stdout)
        }
        let unknown = try CLIHarness.vigil(["launch"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown command \"launch\""))
        let badFlag = try CLIHarness.vigil(["id", "--directory", "x"])
        #expect(badFlag.status == 2)
        #expect(badFlag.stderr.contains("unknown option --directory"))
        #expect(badFlag.stderr.contains("vigil help id"))
        let group = try CLIHarness.vigil(["entry"])
        #expect(group.status == 2)
        #expect(group.stderr.contains("entry inspect"))
    }

    @Test("init makes an owner-only identity, refuses to overwrite it, and id reports it")
    func initAndId() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("node")
        let made = try CLIHarness.vigil(["init", "--dir", dir, "--name", "gov-antwerp", "--org", "Governor of Antwerp", "--role", "government", "--json"])
        #expect(made.status == 0, "\(made.stderr)")
        struct InitResult: Decodable { let nodeId: String; let fingerprint: String }
        let result = try JSONDecoder().decode(InitResult.self, from: Data(made.stdout.utf8))
        #expect(result.nodeId.count == 64)

        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/identity.key")
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let keyBefore = try Data(contentsOf: URL(fileURLWithPath: dir + "/identity.key"))
        let csr = try String(contentsOfFile: dir + "/identity.csr", encoding: .utf8)
        #expect(csr.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"))

        let again = try CLIHarness.vigil(["init", "--dir", dir, "--name", "x", "--org", "Y"])
        #expect(again.status == 3)
        #expect(again.stderr.contains("never overwrites"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/identity.key")) == keyBefore)

        let id = try CLIHarness.vigil(["id", "--dir", dir])
        #expect(id.status == 0)
        #expect(id.stdout.contains(result.nodeId))
        #expect(id.stdout.contains(result.fingerprint))
        #expect(id.stdout.contains("Governor of Antwerp"))
        #expect(id.stdout.contains("none yet"))

        // A key readable by others is refused with the remedy.
        chmod(dir + "/identity.key", 0o644)
        let unsafe = try CLIHarness.vigil(["id", "--dir", dir])
        #expect(unsafe.status == 3)
        #expect(unsafe.stderr.contains("chmod 600"))

        let missing = try CLIHarness.vigil(["id", "--dir", tmp.path("nowhere")])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("vigil init"))
    }

    @Test("init refuses bad names with a usage error")
    func initValidation() throws {
        let tmp = try TemporaryDirectory()
        let badRole = try CLIHarness.vigil(["init", "--dir", tmp.path("a"), "--name", "a", "--org", "Org", "--role", "Police"])
        #expect(badRole.status == 2)
        #expect(badRole.stderr.contains("--role"))
        let noOrg = try CLIHarness.vigil(["init", "--dir", tmp.path("a"), "--name", "a"])
        #expect(noOrg.status == 2)
        #expect(noOrg.stderr.contains("--org is required"))
        #expect(!FileManager.default.fileExists(atPath: tmp.path("a/identity.key")))
    }

    @Test("entry new signs, entry inspect verifies; tampering and truncation are refused with the reason")
    func entryNewAndInspect() throws {
        let tmp = try TemporaryDirectory()
        let dir = tmp.path("node")
        #expect(try CLIHarness.vigil(["init", "--dir", dir, "--name", "ncc", "--org", "National Crisis Centre", "--role", "authority"]).status == 0)
        let file = tmp.path("report.entry")
        let made = try CLIHarness.vigil(["entry", "new", "--dir", dir, "--kind", "sitrep", "--tlp", "amber",
                                         "--role", "government", "--role", "authority", "--text", "Dyke breach at Kallo", "--out", file])
        #expect(made.status == 0, "\(made.stderr)")

        let inspected = try CLIHarness.vigil(["entry", "inspect", file])
        #expect(inspected.status == 0)
        #expect(inspected.stdout.contains("VALID"))
        #expect(inspected.stdout.contains("Dyke breach at Kallo"))
        #expect(inspected.stdout.contains("TLP:AMBER"))

        let json = try CLIHarness.vigil(["entry", "inspect", "--json", file])
        #expect(json.status == 0)
        struct Inspect: Decodable { let valid: Bool; let entry: EntryJSON? }
        let parsed = try JSONDecoder().decode(Inspect.self, from: Data(json.stdout.utf8))
        #expect(parsed.valid)
        #expect(parsed.entry?.kind == "sitrep")
        #expect(parsed.entry?.audience.roles == ["authority", "government"])

        let fromStdin = try CLIHarness.vigil(["entry", "inspect", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: file)))
        #expect(fromStdin.status == 0)

        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 70] ^= 0x01   // inside the body
        try bytes.write(to: URL(fileURLWithPath: tmp.path("tampered.entry")))
        let tampered = try CLIHarness.vigil(["entry", "inspect", tmp.path("tampered.entry")])
        #expect(tampered.status == 1)
        #expect(tampered.stderr.contains("signature does not verify"))

        let truncated = try CLIHarness.vigil(["entry", "inspect", "--json", "-"], stdin: bytes.prefix(40))
        #expect(truncated.status == 1)
        #expect(truncated.stdout.contains("\"valid\" : false"))
        #expect(truncated.stdout.contains("truncated"))

        let versioned = try CLIHarness.vigil(["entry", "inspect", "-"], stdin: Data([9]) + bytes.dropFirst())
        #expect(versioned.status == 1)
        #expect(versioned.stderr.contains("unknown format version 9"))

        let noFile = try CLIHarness.vigil(["entry", "inspect", tmp.path("absent.entry")])
        #expect(noFile.status == 3)

        let overwrite = try CLIHarness.vigil(["entry", "new", "--dir", dir, "--kind", "message", "--text", "x", "--out", file])
        #expect(overwrite.status == 3)
        let badKind = try CLIHarness.vigil(["entry", "new", "--dir", dir, "--kind", "memo", "--text", "x", "--out", tmp.path("x")])
        #expect(badKind.status == 2)
        #expect(badKind.stderr.contains("unknown kind \"memo\""))
    }

    @Test("Scripts/certs issues certificates that vigil id accepts; a certificate for another key is refused")
    func certsScript() throws {
        let tmp = try TemporaryDirectory()
        let peers = tmp.path("federation.json")
        try Data("""
            {"federation": "Test Federation", "authority": "hub",
             "nodes": [{"name": "hub", "organisation": "Test Centre", "role": "authority", "port": 1, "dials": []},
                       {"name": "edge", "organisation": "Test Company", "role": "company", "port": 2, "dials": ["hub"]}]}
            """.utf8).write(to: URL(fileURLWithPath: peers))
        let out = tmp.path("certs")
        let script = CLIHarness.repositoryRoot.appendingPathComponent("Scripts/certs")
        let made = try CLIHarness.run(script, ["--peers", peers, "--out", out])
        #expect(made.status == 0, "\(made.stderr)")

        let hub = try CLIHarness.vigil(["id", "--dir", out + "/hub", "--json"])
        #expect(hub.status == 0, "\(hub.stdout)\(hub.stderr)")
        #expect(hub.stdout.contains("\"valid\" : true"))
        #expect(hub.stdout.contains("Test Centre"))

        // Swap in the other node's certificate: same CA, wrong key.
        try FileManager.default.removeItem(atPath: out + "/hub/node.crt")
        try FileManager.default.copyItem(atPath: out + "/edge/node.crt", toPath: out + "/hub/node.crt")
        let swapped = try CLIHarness.vigil(["id", "--dir", out + "/hub"])
        #expect(swapped.status == 1)
        #expect(swapped.stdout.contains("certifies key"))

        // A CA certificate from another federation.
        let other = tmp.path("other")
        #expect(try CLIHarness.run(script, ["--peers", peers, "--out", other]).status == 0)
        try FileManager.default.removeItem(atPath: out + "/edge/ca.crt")
        try FileManager.default.copyItem(atPath: other + "/ca/ca.crt", toPath: out + "/edge/ca.crt")
        let foreign = try CLIHarness.vigil(["id", "--dir", out + "/edge"])
        #expect(foreign.status == 1)
        #expect(foreign.stdout.contains("not issued by the federation CA"))

        // Running it again keeps what is valid.
        let again = try CLIHarness.run(script, ["--peers", peers, "--out", other])
        #expect(again.stdout.contains("kept hub"))

        let broken = tmp.path("broken.json")
        try Data(#"{"nodes": [{"name": "Bad Name", "organisation": "X", "role": "company"}]}"#.utf8).write(to: URL(fileURLWithPath: broken))
        let refused = try CLIHarness.run(script, ["--peers", broken, "--out", tmp.path("none")])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("nodes[0].name"))
    }
}
