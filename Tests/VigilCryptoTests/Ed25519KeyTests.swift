import Testing
import VigilCrypto

/// Ed25519 keys: equality by bytes, generation.
@Suite("Ed25519 keys")
struct Ed25519KeyTests {
    @Test("PublicKey(rawRepresentation:) keeps the 32 bytes it was given")
    func publicKeyKeepsBytes() throws {
        let raw = try fixedSigningKey(0x52).publicKey.rawRepresentation
        let key = try PublicKey(rawRepresentation: raw[...])
        #expect(key.rawRepresentation == raw)
        #expect(key == (try fixedSigningKey(0x52)).publicKey)
        #expect(key != (try fixedSigningKey(0x53)).publicKey)
        #expect(Set([key, try PublicKey(rawRepresentation: raw)]).count == 1)
    }

    @Test("generated keys are distinct and sign verifiably")
    func generatedKeys() throws {
        let a = try SigningKey.generate()
        let b = try SigningKey.generate()
        #expect(a.publicKey != b.publicKey)
        let message = Array("generated".utf8)
        #expect(a.publicKey.isValidSignature(try a.signature(for: message, in: .entry), for: message, in: .entry))
        #expect(!b.publicKey.isValidSignature(try a.signature(for: message, in: .entry), for: message, in: .entry))
    }
}
