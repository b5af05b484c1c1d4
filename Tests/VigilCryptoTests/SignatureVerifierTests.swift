import Testing
@testable import VigilCrypto

// SignatureVerifier (one reused OpenSSL context per key) must give exactly the answers of
// PublicKey.isValidSignature, however often it is reused and whatever came before, and must leave
// OpenSSL's error queue empty. PublicKey.isValidSignature itself now reuses pooled contexts; the
// concurrency tests cover that pool.

private func verifierTestKey(_ byte: UInt8) throws -> SigningKey {
    try SigningKey(seed: SecureBytes([UInt8](repeating: byte, count: 32)))
}

private func hexVector(_ text: String) throws -> [UInt8] {
    try #require(bytes(fromHex: text), "not hexadecimal: \(text)")
}

@Suite("SignatureVerifier")
struct SignatureVerifierTests {
    @Test("RFC 8032 test vectors 1 and 2 verify, and fail with one bit changed")
    func knownAnswers() throws {
        let vectors = [
            ("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
             "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
            ("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
             "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
        ]
        for (publicHex, messageHex, signatureHex) in vectors {
            let key = try PublicKey(rawRepresentation: try hexVector(publicHex))
            let message = try hexVector(messageHex)
            let signature = try hexVector(signatureHex)
            let verifier = try SignatureVerifier(publicKey: key)
            #expect(verifier.publicKey == key)
            #expect(verifier.isValidSignature(signature, forRawMessage: message))
            var altered = signature
            altered[10] ^= 0x04
            #expect(!verifier.isValidSignature(altered, forRawMessage: message))
            #expect(verifier.isValidSignature(signature, forRawMessage: message), "a failed verify must not spoil the context")
            #expect(!verifier.isValidSignature(signature, forRawMessage: message + [0]))
        }
    }

    @Test("agrees with PublicKey.isValidSignature on valid and broken inputs")
    func agreesWithPublicKey() throws {
        let key = try verifierTestKey(0x31)
        let other = try verifierTestKey(0x32)
        let verifier = try SignatureVerifier(publicKey: key.publicKey)
        let message = Array("situation report, district 4".utf8)
        let signature = try key.signature(for: message, in: .entry)
        let otherDomain = SignatureDomain(label: "vigil/v1/test")

        var cases: [(String, [UInt8], [UInt8], SignatureDomain)] = [
            ("valid", signature, message, .entry),
            ("other domain", signature, message, otherDomain),
            ("other message", signature, message + [0x21], .entry),
            ("empty message", signature, [], .entry),
            ("other key's signature", try other.signature(for: message, in: .entry), message, .entry),
            ("63-byte signature", Array(signature.dropLast()), message, .entry),
            ("65-byte signature", signature + [0], message, .entry),
            ("empty signature", [], message, .entry),
            ("all-zero signature", [UInt8](repeating: 0, count: 64), message, .entry),
            ("all-ones signature", [UInt8](repeating: 0xff, count: 64), message, .entry),
        ]
        for bit in stride(from: 0, to: 512, by: 37) {
            var flipped = signature
            flipped[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
            cases.append(("signature bit \(bit) flipped", flipped, message, .entry))
        }
        for (name, sig, msg, domain) in cases {
            let expected = key.publicKey.isValidSignature(sig, for: msg, in: domain)
            #expect(verifier.isValidSignature(sig, for: msg, in: domain) == expected, "\(name)")
            #expect(expected == (name == "valid"), "\(name)")
            #expect(OpenSSLErrorQueue.drain() == "", "\(name): the OpenSSL error queue must be left empty")
        }
        // The verifier also accepts slices and other collections.
        #expect(verifier.isValidSignature(signature[...], for: message[...], in: .entry))
    }

    @Test("stays correct across many reuses, alternating valid and invalid signatures")
    func reuse() throws {
        let key = try verifierTestKey(0x41)
        let verifier = try SignatureVerifier(publicKey: key.publicKey)
        var signed: [([UInt8], [UInt8])] = []
        for i in 0..<16 {
            let message = Array("message \(i)".utf8) + [UInt8](repeating: UInt8(i), count: i * 20)
            signed.append((message, try key.signature(for: message, in: .entry)))
        }
        for round in 0..<200 {
            let (message, signature) = signed[round % signed.count]
            if round % 3 == 0 {
                var bad = signature
                bad[round % 64] ^= 0x80
                #expect(!verifier.isValidSignature(bad, for: message, in: .entry), "round \(round)")
            }
            #expect(verifier.isValidSignature(signature, for: message, in: .entry), "round \(round)")
            #expect(!verifier.isValidSignature(signature, for: message + [1], in: .entry), "round \(round)")
        }
        #expect(OpenSSLErrorQueue.drain() == "")
    }

    @Test("one verifier per task: concurrent verifiers give the right answers")
    func verifierPerTask() async throws {
        let key = try verifierTestKey(0x51)
        let publicKey = key.publicKey
        let message = Array("concurrent".utf8)
        let signature = try key.signature(for: message, in: .entry)
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let verifier = try SignatureVerifier(publicKey: publicKey)
                    var wrong = 0
                    for i in 0..<40 {
                        var sig = signature
                        if i % 2 == 1 { sig[i % 64] ^= 1 }
                        if verifier.isValidSignature(sig, for: message, in: .entry) != (i % 2 == 0) { wrong += 1 }
                    }
                    return wrong
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(results == 0)
    }

    @Test("PublicKey.isValidSignature shared by many tasks at once (pooled contexts)")
    func sharedPublicKeyConcurrently() async throws {
        let key = try verifierTestKey(0x61)
        let publicKey = key.publicKey
        let message = Array("shared key".utf8)
        let signature = try key.signature(for: message, in: .entry)
        let wrong = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var wrong = 0
                    for i in 0..<30 {
                        var sig = signature
                        let shouldPass = (i + task) % 3 != 0
                        if !shouldPass { sig[(i * 7) % 64] ^= 0x10 }
                        if publicKey.isValidSignature(sig, for: message, in: .entry) != shouldPass { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
        // Copies share the key object and its pool; a fresh key from the same bytes agrees.
        let copy = publicKey
        #expect(copy.isValidSignature(signature, for: message, in: .entry))
        #expect(try PublicKey(rawRepresentation: publicKey.rawRepresentation).isValidSignature(signature, for: message, in: .entry))
    }
}
