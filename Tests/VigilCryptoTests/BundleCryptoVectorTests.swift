import Foundation
import Testing
import VigilCrypto

/// Known answers for the bundle encryption primitives: X25519 (RFC 7748 §5.2, §6.1), HKDF-SHA256
/// (RFC 5869 A.1, A.3) and ChaCha20-Poly1305 (RFC 8439 §2.8.2). The vectors are short public RFC values.
@Suite("Bundle crypto known answers")
struct BundleCryptoVectorTests {
    private func h(_ text: String) -> [UInt8] { bytes(fromHex: text)! }
    private func secret(_ text: String) -> SecureBytes { SecureBytes(h(text)) }
    private func hexOf(_ s: SecureBytes) -> String { s.withUnsafeBytes { hex($0) } }

    @Test("X25519 scalar multiplication (RFC 7748 §5.2, first vector)")
    func scalarMultiplication() throws {
        let key = try AgreementKey(rawRepresentation: secret("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"))
        let out = try key.sharedSecret(with: h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"))
        #expect(hexOf(out) == "c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552")
    }

    @Test("X25519 Diffie-Hellman: Alice and Bob (RFC 7748 §6.1)")
    func diffieHellman() throws {
        let alice = try AgreementKey(rawRepresentation: secret("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"))
        let bob = try AgreementKey(rawRepresentation: secret("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"))
        #expect(hex(alice.publicKey) == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(hex(bob.publicKey) == "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        let shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"
        #expect(hexOf(try alice.sharedSecret(with: bob.publicKey)) == shared)
        #expect(hexOf(try bob.sharedSecret(with: alice.publicKey)) == shared)
    }

    @Test("X25519 refuses a low-order public key and a key of the wrong length")
    func lowOrder() throws {
        let key = try AgreementKey.generate()
        #expect(throws: CryptoError.self) { try key.sharedSecret(with: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) { try key.sharedSecret(with: [UInt8](repeating: 9, count: 31)) }
        #expect(throws: CryptoError.self) { try AgreementKey(rawRepresentation: SecureBytes([1, 2, 3])) }
    }

    @Test("an X25519 key survives PEM, and a PEM Ed25519 key is refused as an encryption key")
    func pem() throws {
        let key = try AgreementKey.generate()
        let back = try AgreementKey(pem: key.pemRepresentation())
        #expect(back.publicKey == key.publicKey)
        let ed = try SigningKey.generate()
        #expect(throws: CryptoError.self) { try AgreementKey(pem: ed.pemRepresentation()) }
    }

    @Test("HKDF-SHA256 basic case (RFC 5869 A.1)")
    func hkdfBasic() throws {
        let okm = try HKDF.sha256(secret: secret(String(repeating: "0b", count: 22)), salt: h("000102030405060708090a0b0c"),
                                  info: h("f0f1f2f3f4f5f6f7f8f9"), count: 42)
        #expect(hexOf(okm) == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
    }

    @Test("HKDF-SHA256 with empty salt and info (RFC 5869 A.3)")
    func hkdfEmpty() throws {
        let okm = try HKDF.sha256(secret: secret(String(repeating: "0b", count: 22)), salt: [], info: [], count: 42)
        #expect(hexOf(okm) == "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8")
        #expect(throws: CryptoError.self) { try HKDF.sha256(secret: secret("00"), salt: [], info: [], count: 255 * 32 + 1) }
    }

    static let key8439 = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    static let nonce8439 = "070000004041424344454647"
    static let aad8439 = "50515253c0c1c2c3c4c5c6c7"
    static let plaintext8439 = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it."
    static let ciphertext8439 = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
    static let tag8439 = "1ae10b594f09e26a7e902ecbd0600691"

    @Test("ChaCha20-Poly1305 seal (RFC 8439 §2.8.2)")
    func seal() throws {
        let sealed = try ChaChaPoly.seal(Array(Self.plaintext8439.utf8), key: secret(Self.key8439), nonce: h(Self.nonce8439), aad: h(Self.aad8439))
        #expect(hex(sealed.ciphertext) == Self.ciphertext8439)
        #expect(hex(sealed.tag) == Self.tag8439)
    }

    @Test("ChaCha20-Poly1305 open, and refusal of a changed ciphertext, tag or associated data")
    func open() throws {
        let key = secret(Self.key8439), nonce = h(Self.nonce8439), aad = h(Self.aad8439)
        let plain = try ChaChaPoly.open(h(Self.ciphertext8439), tag: h(Self.tag8439), key: key, nonce: nonce, aad: aad)
        #expect(String(decoding: plain, as: UTF8.self) == Self.plaintext8439)
        var changed = h(Self.ciphertext8439)
        changed[5] ^= 1
        #expect(throws: CryptoError.self) { try ChaChaPoly.open(changed, tag: h(Self.tag8439), key: key, nonce: nonce, aad: aad) }
        var tag = h(Self.tag8439)
        tag[15] ^= 0x80
        #expect(throws: CryptoError.self) { try ChaChaPoly.open(h(Self.ciphertext8439), tag: tag, key: key, nonce: nonce, aad: aad) }
        #expect(throws: CryptoError.self) { try ChaChaPoly.open(h(Self.ciphertext8439), tag: h(Self.tag8439), key: key, nonce: nonce, aad: aad + [0]) }
    }

    @Test("an encryption key file is written 0600 and read back")
    func keyFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-enc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = try AgreementKey.generate()
        try KeyFile.write(key, to: dir + "/encryption.key")
        let attributes = try FileManager.default.attributesOfItem(atPath: dir + "/encryption.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try KeyFile.readAgreementKey(from: dir + "/encryption.key").publicKey == key.publicKey)
        #expect(throws: CryptoError.self) { try KeyFile.write(key, to: dir + "/encryption.key") }
    }
}
