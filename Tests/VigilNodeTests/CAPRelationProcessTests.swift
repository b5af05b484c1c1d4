import Foundation
import Testing
import VigilModel

/// CAP Update and Cancel across real nodes: imported on different nodes, in reverse order, every node
/// shows the same current state, and the CLI shows the officer's language.
@Suite("CAP relations across nodes (processes)", .serialized)
struct CAPRelationProcessTests {
    static func document(id: String, msgType: String, sent: String, references: String?, infos: [(String, String)]) -> String {
        let refs = references.map { "<references>\($0)</references>" } ?? ""
        let blocks = infos.map { lang, event in
            "<info><language>\(lang)</language><category>Met</category><event>\(event)</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty><area><areaDesc>Antwerpen</areaDesc><geocode><valueName>NIS</valueName><value>11002</value></geocode></area></info>"
        }.joined()
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>\(id)</identifier><sender>ncc@example.be</sender><sent>\(sent)</sent><status>Actual</status><msgType>\(msgType)</msgType><scope>Public</scope>\(refs)\(blocks)</alert>
            """
    }

    @Test("alert imported on one node, its update and cancel on another before it: same state on both; --lang picks the language")
    func chainAcrossNodes() throws {
        let fed = try Officer.federation(["auth", "gov"])
        let dir = fed.dir.appendingPathComponent("cap-chain")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let a = Self.document(id: "BE-1", msgType: "Alert", sent: "2026-11-24T10:00:00+01:00", references: nil,
                              infos: [("nl-BE", "Overstroming"), ("fr-BE", "Inondation"), ("de-BE", "Hochwasser")])
        let u = Self.document(id: "BE-2", msgType: "Update", sent: "2026-11-24T11:00:00+01:00", references: "ncc@example.be,BE-1,2026-11-24T10:00:00+01:00",
                              infos: [("nl-BE", "Overstroming fase 2"), ("fr-BE", "Inondation phase 2")])
        let c = Self.document(id: "BE-3", msgType: "Cancel", sent: "2026-11-24T12:00:00+01:00", references: "ncc@example.be,BE-1,2026-11-24T10:00:00+01:00", infos: [])
        var paths: [String: String] = [:]
        for (name, text) in [("a", a), ("u", u), ("c", c)] {
            let path = dir.appendingPathComponent("\(name).xml").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            paths[name] = path
        }
        func imported(_ node: String, _ file: String) throws -> String {
            let r = try fed.vigil(node, ["import", "--cap", paths[file]!, "--json"])
            #expect(r.status == 0, "\(r)")
            return try #require((try Officer.object(r)["alert"] as? [String: Any])?["id"] as? String)
        }
        let uid = try imported("gov", "u")
        let cid = try imported("gov", "c")
        let aid = try imported("auth", "a")
        #expect(try fed.waitHex("auth", [uid, cid]) == [])
        #expect(try fed.waitHex("gov", [aid]) == [])

        var states: [String] = []
        for node in ["auth", "gov"] {
            let show = try Officer.object(fed.vigil(node, ["show", aid, "--json"]))
            #expect(show["retracted"] as? Bool == true, "\(node): \(show)")
            let retracted = try #require(show["retraction"] as? [String: Any], "\(node): the alert is not retracted by the CAP Cancel: \(show)")
            let steps = (show["history"] as? [[String: Any]] ?? []).compactMap { $0["entry"] as? String }
            #expect(steps == [aid, uid, cid] || steps == [aid, cid, uid], "\(node): \(steps)")
            states.append("\(retracted["by"] ?? "") \(steps) \((show["current"] as? [String: Any])?["event"] ?? "")")
        }
        #expect(states[0] == states[1])

        // The retracted alert exports as the CAP Cancel; the update as itself, in French on request.
        let export = try fed.vigil("auth", ["export", "--cap", aid])
        #expect(export.status == 0 && export.stdout.contains("<msgType>Cancel</msgType>") && export.stdout.contains("<identifier>BE-3</identifier>"), "\(export)")
        let fr = try fed.vigil("auth", ["show", uid, "--lang", "fr"])
        #expect(fr.status == 0 && fr.stdout.contains("current (fr-BE)") && fr.stdout.contains("Inondation phase 2"), "\(fr)")
        let de = try fed.vigil("gov", ["show", uid, "--lang", "de"])
        #expect(de.status == 0 && de.stdout.contains("current (nl-BE)") && de.stdout.contains("Overstroming fase 2"), "falls back to the alert's own language: \(de)")
        let all = try Officer.object(fed.vigil("gov", ["show", uid, "--json"]))
        #expect(((all["current"] as? [String: Any])?["translations"] as? [[String: Any]])?.count == 1, "--json carries every language")
    }
}
