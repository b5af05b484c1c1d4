import Testing
import VigilCrypto

/// Domain separation: a signature made for one purpose never verifies for another.
@Suite("Signature domains")
struct SignatureDomainTests {
    private let message = Array("an entry of the shared log".utf8)
    private let other = SignatureDomain(label: "vigil/v1/other")

    @Test("the entry domain's prefix is its label and one zero byte")
    func entryPrefix() {
        #expect(SignatureDomain.entry.prefix == Array("vigil/v1/entry".utf8) + [0])
        #expect(other.prefix == Array("vigil/v1/other".utf8) + [0])
        #expect(SignatureDomain.entry != other)
        #expect(SignatureDomain(label: "vigil/v1/entry") == .entry)
    }

    @Test("an entry signature verifies in the entry domain")
    func verifiesInItsDomain() throws {
        let key = try fixedSigningKey(0x11)
        let signature = try key.signature(for: message, in: .entry)
        #expect(key.publicKey.isValidSignature(signature, for: message, in: .entry))
        // Signing is deterministic (RFC 8032): the same input gives the same signature.
        #expect(try key.signature(for: message, in: .entry) == signature)
    }

    @Test("an entry signature is the raw signature of prefix + message")
    func domainSignatureIsPrefixedRawSignature() throws {
        let key = try fixedSigningKey(0x12)
        let signature = try key.signature(for: message, in: .entry)
        let prefixed = Array("vigil/v1/entry".utf8) + [0] + message
        #expect(try key.signature(forRawMessage: prefixed) == signature)
        #expect(key.publicKey.isValidSignature(signature, forRawMessage: prefixed))
    }

    @Test("an entry signature is not a raw signature of the same message")
    func notValidAsRawSignature() throws {
        let key = try fixedSigningKey(0x13)
        let signature = try key.signature(for: message, in: .entry)
        #expect(!key.publicKey.isValidSignature(signature, forRawMessage: message))
        // Nor the other way round: a raw signature does not verify in the entry domain.
        let raw = try key.signature(forRawMessage: message)
        #expect(raw != signature)
        #expect(!key.publicKey.isValidSignature(raw, for: message, in: .entry))
    }

    @Test("an entry signature does not verify in another domain")
    func notValidInOtherDomain() throws {
        let key = try fixedSigningKey(0x14)
        let signature = try key.signature(for: message, in: .entry)
        #expect(!key.publicKey.isValidSignature(signature, for: message, in: other))
        let otherSignature = try key.signature(for: message, in: other)
        #expect(key.publicKey.isValidSignature(otherSignature, for: message, in: other))
        #expect(!key.publicKey.isValidSignature(otherSignature, for: message, in: .entry))
    }

    @Test("the zero byte keeps a label and the start of a message apart")
    func labelBoundaryIsUnambiguous() throws {
        // Without the terminator, "vigil/v1/a" + "b…" and "vigil/v1/ab" + "…" would be the same bytes.
        let key = try fixedSigningKey(0x15)
        let short = SignatureDomain(label: "vigil/v1/a")
        let long = SignatureDomain(label: "vigil/v1/ab")
        let signature = try key.signature(for: Array("bcd".utf8), in: short)
        #expect(key.publicKey.isValidSignature(signature, for: Array("bcd".utf8), in: short))
        #expect(!key.publicKey.isValidSignature(signature, for: Array("cd".utf8), in: long))
    }

    @Test("an entry signature does not verify under another key or for another message")
    func otherKeyOrMessageRejects() throws {
        let key = try fixedSigningKey(0x16)
        let otherKey = try fixedSigningKey(0x17)
        let signature = try key.signature(for: message, in: .entry)
        #expect(!otherKey.publicKey.isValidSignature(signature, for: message, in: .entry))
        #expect(!key.publicKey.isValidSignature(signature, for: flippingBit(0, of: message), in: .entry))
    }
}
