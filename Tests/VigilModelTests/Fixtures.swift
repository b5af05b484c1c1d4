import VigilCrypto
@testable import VigilModel

/// Deterministic keys and entries for the model tests.
enum Fixtures {
    /// RFC 8032 TEST 1 secret key: a fixed, public author for byte-exact tests.
    static let seedHex = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"

    static func key(_ seed: String = seedHex) -> SigningKey {
        try! SigningKey(seed: SecureBytes(bytes(fromHex: seed)!))
    }

    static func id(_ byte: UInt8) -> Bytes32 { Bytes32([UInt8](repeating: byte, count: 32))! }

    /// A draft exercising every field.
    static func fullDraft(author: NodeID) -> EntryDraft {
        EntryDraft(author: author, timestamp: HybridTimestamp(milliseconds: 1_795_490_545_293, counter: 3),
                   kind: .situationReport,
                   audience: Audience(tlp: .amber, roles: ["government", "authority"],
                                      organisations: ["National Crisis Centre", "Governor of Antwerp"],
                                      nodes: [id(0x22), id(0x11)]),
                   refs: [id(0xaa), id(0x01)], body: Array("Flooding along the Scheldt; 40 people evacuated.".utf8))
    }

    static func signedFull() -> Entry {
        let k = key()
        return try! fullDraft(author: NodeID(k.publicKey)).signed(by: k)
    }
}

/// Hand-assembles entry bytes field by field, so tests can build exactly the malformed input they need.
struct RawEntry {
    var version: [UInt8] = [1]
    var author: [UInt8] = [UInt8](repeating: 7, count: 32)
    var ms: [UInt8] = [0x80, 0x01]           // 128
    var counter: [UInt8] = [0x00]
    var kind: [UInt8] = [5]
    var tlp: [UInt8] = [1]
    var roles: [UInt8] = [0]
    var orgs: [UInt8] = [0]
    var nodes: [UInt8] = [0]
    var refs: [UInt8] = [0]
    var body: [UInt8] = [2, 0x68, 0x69]
    var signature: [UInt8] = [UInt8](repeating: 9, count: 64)
    var trailing: [UInt8] = []

    var bytes: [UInt8] { version + author + ms + counter + kind + tlp + roles + orgs + nodes + refs + body + signature + trailing }

    static func names(_ names: [String]) -> [UInt8] {
        var out: [UInt8] = [UInt8(names.count)]
        for n in names { out.append(UInt8(n.utf8.count)); out += Array(n.utf8) }
        return out
    }
}
