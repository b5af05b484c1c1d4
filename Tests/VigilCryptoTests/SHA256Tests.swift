import Testing
import VigilCrypto

/// SHA-256 known answers (FIPS 180-2, appendix B).
@Suite("SHA-256")
struct SHA256Tests {
    @Test("the empty string")
    func empty() {
        #expect(hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("\"abc\" (FIPS 180-2 B.1)")
    func abc() {
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("the two-block message (FIPS 180-2 B.2)")
    func twoBlocks() {
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.hash(message)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("one million \"a\" (FIPS 180-2 B.3)")
    func millionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA256.hash(message)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("the raw-buffer and array entry points agree")
    func bufferAndArrayAgree() {
        let message = Array("abc".utf8)
        let viaBuffer = message.withUnsafeBytes { SHA256.hash($0) }
        #expect(viaBuffer == SHA256.hash(message))
        #expect(viaBuffer.count == SHA256.byteCount)
        #expect(SHA256.byteCount == 32)
        #expect(SHA256.hash(Array("abd".utf8)) != viaBuffer)
    }
}
