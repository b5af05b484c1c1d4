import Testing
import VigilCrypto

/// `shared/testdata/ed25519/rfc8032_7.1_ed25519.json`.
private struct RFC8032File: Decodable {
    struct Vector: Decodable {
        let name: String
        let secretKey: String
        let publicKey: String
        let message: String
        let signature: String

        enum CodingKeys: String, CodingKey {
            case name, message, signature
            case secretKey = "secret_key"
            case publicKey = "public_key"
        }
    }

    let vectors: [Vector]
}

/// RFC 8032 section 7.1: the Ed25519 known answers (key derivation, deterministic signing, verification).
@Suite("RFC 8032 section 7.1 Ed25519 vectors")
struct RFC8032VectorTests {
    private func loadVectors() throws -> [RFC8032File.Vector] {
        let file = try TestData.decodeEd25519(RFC8032File.self, from: "rfc8032_7.1_ed25519.json")
        // Section 7.1 has five tests: TEST 1, 2, 3, 1024 and SHA(abc).
        try #require(file.vectors.count == 5, "expected the 5 vectors of RFC 8032 7.1, found \(file.vectors.count)")
        return file.vectors
    }

    @Test("the seed gives the expected public key")
    func seedGivesPublicKey() throws {
        for vector in try loadVectors() {
            let key = try SigningKey(seed: SecureBytes(try hexBytes(vector.secretKey)))
            #expect(key.publicKey.rawRepresentation == (try hexBytes(vector.publicKey)), "\(vector.name)")
            #expect(key.publicKey.description == vector.publicKey.lowercased(), "\(vector.name)")
        }
    }

    @Test("signing gives exactly the expected signature")
    func signatureMatches() throws {
        for vector in try loadVectors() {
            let key = try SigningKey(seed: SecureBytes(try hexBytes(vector.secretKey)))
            let signature = try key.signature(forRawMessage: try hexBytes(vector.message))
            #expect(hex(signature) == vector.signature.lowercased(), "\(vector.name)")
        }
    }

    @Test("the expected signature verifies under the expected public key")
    func signatureVerifies() throws {
        for vector in try loadVectors() {
            let publicKey = try PublicKey(rawRepresentation: try hexBytes(vector.publicKey))
            let message = try hexBytes(vector.message)
            let signature = try hexBytes(vector.signature)
            #expect(publicKey.isValidSignature(signature, forRawMessage: message), "\(vector.name)")
            // Through a slice, too: the API takes any collection of bytes.
            #expect(publicKey.isValidSignature(signature[...], forRawMessage: message[...]), "\(vector.name)")
        }
    }

    @Test("a signature with any one bit flipped is rejected")
    func flippedSignatureBitIsRejected() throws {
        for vector in try loadVectors() {
            let publicKey = try PublicKey(rawRepresentation: try hexBytes(vector.publicKey))
            let message = try hexBytes(vector.message)
            let signature = try hexBytes(vector.signature)
            try #require(signature.count == 64)
            for bit in 0..<(64 * 8) {
                let damaged = flippingBit(bit, of: signature)
                #expect(!publicKey.isValidSignature(damaged, forRawMessage: message),
                        "\(vector.name): signature with bit \(bit) flipped was accepted")
            }
        }
    }

    @Test("the signature is rejected for the message with one bit flipped")
    func flippedMessageBitIsRejected() throws {
        for vector in try loadVectors() {
            let publicKey = try PublicKey(rawRepresentation: try hexBytes(vector.publicKey))
            let message = try hexBytes(vector.message)
            let signature = try hexBytes(vector.signature)
            if message.isEmpty {
                // TEST 1 signs the empty message: no bit to flip, so try the shortest non-empty ones.
                #expect(!publicKey.isValidSignature(signature, forRawMessage: [0x00]), "\(vector.name)")
                #expect(!publicKey.isValidSignature(signature, forRawMessage: [0x01]), "\(vector.name)")
                continue
            }
            let bitCount = message.count * 8
            for bit in Set([0, 7, bitCount / 2, bitCount - 1]) {
                #expect(!publicKey.isValidSignature(signature, forRawMessage: flippingBit(bit, of: message)),
                        "\(vector.name): message with bit \(bit) flipped was accepted")
            }
            // Neither a truncated nor an extended message.
            #expect(!publicKey.isValidSignature(signature, forRawMessage: message.dropLast()), "\(vector.name)")
            #expect(!publicKey.isValidSignature(signature, forRawMessage: message + [0]), "\(vector.name)")
        }
    }

    @Test("another vector's key does not accept the signature")
    func otherKeyRejects() throws {
        let vectors = try loadVectors()
        for (index, vector) in vectors.enumerated() {
            let other = vectors[(index + 1) % vectors.count]
            let otherKey = try PublicKey(rawRepresentation: try hexBytes(other.publicKey))
            #expect(!otherKey.isValidSignature(try hexBytes(vector.signature), forRawMessage: try hexBytes(vector.message)),
                    "\(vector.name)'s signature verified under \(other.name)'s key")
        }
    }

    @Test("signatures of the wrong length are rejected without reaching OpenSSL")
    func wrongLengthSignatureIsRejected() throws {
        let vector = try #require(try loadVectors().first)
        let publicKey = try PublicKey(rawRepresentation: try hexBytes(vector.publicKey))
        let message = try hexBytes(vector.message)
        let signature = try hexBytes(vector.signature)
        #expect(!publicKey.isValidSignature(signature.dropLast(), forRawMessage: message))
        #expect(!publicKey.isValidSignature(signature + [0], forRawMessage: message))
        #expect(!publicKey.isValidSignature([UInt8](), forRawMessage: message))
    }
}
