import Testing
import VigilAPI
import VigilModel
@testable import VigilNode

/// The local API's roster changes (`compose` of a `roster` entry, as `vigil roster add|revoke|rotate` and the
/// desk's federation page send them): a missing or malformed value is refused with the field it concerns,
/// so the desk shows the reason next to that field; well-formed ones become the typed change.
@Suite("Roster changes from the local API")
struct RosterChangeFieldTests {
    static let node = String(repeating: "1", count: 64)
    static let key = String(repeating: "2", count: 64)

    static func change(_ members: [String: JSONValue]) throws(APIFailure) -> RosterChange {
        try LocalAPIHandler.rosterChange(.object(members))
    }

    @Test("add, revoke and rotate in their JSON form become the typed change")
    func wellFormed() throws {
        let id = try #require(NodeID(hex: Self.node))
        #expect(try Self.change(["op": .string("add"), "node": .string(Self.node), "name": .string("police-fed"), "organisation": .string("Federal Police"),
                                 "role": .string("police"), "addresses": .array([.string("10.0.0.7:7401")])])
                == .add(node: id, name: "police-fed", organisation: "Federal Police", role: "police", addresses: ["10.0.0.7:7401"]))
        #expect(try Self.change(["op": .string("revoke"), "node": .string(Self.node), "reason": .string("contract ended")]) == .revoke(node: id, reason: "contract ended"))
        #expect(try Self.change(["op": .string("rotate"), "node": .string(Self.node), "key": .string(Self.key)])
                == .rotate(node: id, newKey: try #require(NodeID(hex: Self.key))))
    }

    @Test("each missing or malformed value is refused with its field and a sentence that says what to give")
    func refusedWithField() {
        let add: [String: JSONValue] = ["op": .string("add"), "node": .string(Self.node), "name": .string("police-fed"),
                                        "organisation": .string("Federal Police"), "role": .string("police")]
        func with(_ base: [String: JSONValue], _ name: String, _ value: JSONValue?) -> [String: JSONValue] {
            var copy = base
            copy[name] = value
            return copy
        }
        let cases: [([String: JSONValue], String)] = [
            (with(add, "node", .string("not-a-key")), "node"),
            (with(add, "node", nil), "node"),
            (with(add, "op", .string("promote")), "op"),
            (with(add, "name", nil), "name"),
            (with(add, "organisation", .string("")), "organisation"),
            (with(add, "role", nil), "role"),
            (with(add, "role", .string("wizard")), "role"),
            (with(add, "name", .string(String(repeating: "n", count: 65))), "name"),
            (with(add, "addresses", .array([.string("10.0.0.7:7401"), .integer(7)])), "addresses[1]"),
            (with(add, "addresses", .array([.string("10.0.0.7:7401"), .string("no-port")])), "addresses[1]"),
            (["op": .string("revoke"), "node": .string(Self.node)], "reason"),
            (["op": .string("rotate"), "node": .string(Self.node), "key": .string("short")], "key"),
            (["op": .string("rotate"), "node": .string(Self.node), "key": .string(Self.node)], "key"),
        ]
        for (body, field) in cases {
            do {
                _ = try Self.change(body)
                Issue.record("accepted \(body)")
            } catch {
                #expect(error.refusal?.field == field, "\(body): \(error)")
                #expect(error.error.contains(field.split(separator: "[").first.map(String.init) ?? field), "\(error.error)")
            }
        }
    }
}
