import Testing
import VigilCrypto

/// `shared/testdata/ed25519/wycheproof_ed25519_test.json` (schema eddsa_verify_schema_v1.json).
private struct WycheproofFile: Decodable {
    struct Group: Decodable {
        struct Key: Decodable {
            let curve: String
            let pk: String
        }

        struct Case: Decodable {
            let tcId: Int
            let comment: String
            let flags: [String]
            let msg: String
            let sig: String
            let result: String
        }

        let type: String
        let publicKey: Key
        let tests: [Case]
    }

    let algorithm: String
    let numberOfTests: Int
    let testGroups: [Group]
}

/// Every Wycheproof Ed25519 verification case: "valid" must verify, "invalid" must not.
@Suite("Wycheproof Ed25519 verification")
struct WycheproofEd25519Tests {
    @Test("all 151 cases give the expected result")
    func allCases() throws {
        let file = try TestData.decodeEd25519(WycheproofFile.self, from: "wycheproof_ed25519_test.json")
        #expect(file.algorithm == "EDDSA")
        #expect(file.numberOfTests == 151)

        var count = 0
        var validCount = 0
        var mismatches: [Int] = []
        for group in file.testGroups {
            #expect(group.type == "EddsaVerify")
            #expect(group.publicKey.curve == "edwards25519")
            // A public key that PublicKey refuses counts as "does not verify".
            let publicKey = try? PublicKey(rawRepresentation: try hexBytes(group.publicKey.pk))
            for test in group.tests {
                count += 1
                let message = try hexBytes(test.msg)
                let signature = try hexBytes(test.sig)
                let verified = publicKey?.isValidSignature(signature, forRawMessage: message) ?? false
                let expected: Bool
                switch test.result {
                case "valid":
                    expected = true
                    validCount += 1
                case "invalid":
                    expected = false
                default:
                    Issue.record("tcId \(test.tcId): unexpected result \"\(test.result)\"")
                    continue
                }
                if verified != expected {
                    mismatches.append(test.tcId)
                }
                #expect(verified == expected,
                        "tcId \(test.tcId) (\(test.comment.isEmpty ? "no comment" : test.comment); flags \(test.flags)): expected \(test.result), but it \(verified ? "verified" : "did not verify")")
            }
        }
        #expect(count == 151, "expected 151 Wycheproof cases, found \(count)")
        #expect(validCount == 88, "expected 88 valid cases, found \(validCount)")
        #expect(mismatches.isEmpty, "mismatching tcIds: \(mismatches)")
    }
}
