import Testing
import VigilCrypto

/// scrypt through OpenSSL: the known answers of RFC 7914 section 12 and the parameter checks.
@Suite("Scrypt")
struct ScryptTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    @Test("RFC 7914 vector 1: empty password and salt, N=16 r=1 p=1")
    func vector1() throws {
        let out = try Scrypt.derive(password: [], salt: [], parameters: .init(n: 16, r: 1, p: 1), length: 64)
        #expect(out == Self.hex("""
            77 d6 57 62 38 65 7b 20 3b 19 ca 42 c1 8a 04 97 f1 6b 48 44 e3 07 4a e8 df df fa 3f ed e2 14 42
            fc d0 06 9d ed 09 48 f8 32 6a 75 3a 0f c8 1f 17 e8 d3 e0 fb 2e 0d 36 28 cf 35 e2 0c 38 d1 89 06
            """))
    }

    @Test("RFC 7914 vector 2: password / NaCl, N=1024 r=8 p=16")
    func vector2() throws {
        let out = try Scrypt.derive(password: Array("password".utf8), salt: Array("NaCl".utf8), parameters: .init(n: 1024, r: 8, p: 16), length: 64)
        #expect(out == Self.hex("""
            fd ba be 1c 9d 34 72 00 78 56 e7 19 0d 01 e9 fe 7c 6a d7 cb c8 23 78 30 e7 73 76 63 4b 37 31 62
            2e af 30 d9 2e 22 a3 88 6f f1 09 27 9d 98 30 da c7 27 af b9 4a 83 ee 6d 83 60 cb df a2 cc 06 40
            """))
    }

    @Test("RFC 7914 vector 3: pleaseletmein / SodiumChloride, N=16384 r=8 p=1")
    func vector3() throws {
        let out = try Scrypt.derive(password: Array("pleaseletmein".utf8), salt: Array("SodiumChloride".utf8), parameters: .init(n: 16384, r: 8, p: 1), length: 64)
        #expect(out == Self.hex("""
            70 23 bd cb 3a fd 73 48 46 1c 06 cd 81 fd 38 eb fd a8 fb ba 90 4f 8e 3e a9 b5 43 f6 54 5d a1 f2
            d5 43 29 55 61 3f 0f cf 62 d4 97 05 24 2a 9a f9 e6 1e 85 dc 0d 65 1e 40 df cf 01 7b 45 57 58 87
            """))
    }

    @Test("N not a power of two, zero r, or too much memory is refused with the reason")
    func badParameters() {
        for bad in [Scrypt.Parameters(n: 1000, r: 8, p: 1), .init(n: 16, r: 0, p: 1), .init(n: 1 << 20, r: 8, p: 1)] {
            #expect(throws: CryptoError.self) { try Scrypt.derive(password: [1], salt: [2], parameters: bad, length: 32) }
        }
    }

    @Test("secure random bytes have the length asked and differ between calls")
    func randomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        let a = SecureRandom.bytes(32), b = SecureRandom.bytes(32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
    }
}
