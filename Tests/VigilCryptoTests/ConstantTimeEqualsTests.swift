import Testing
import VigilCrypto

/// `constantTimeEquals`: equality of byte strings, whatever their lengths.
@Suite("constantTimeEquals")
struct ConstantTimeEqualsTests {
    @Test("equal byte strings are equal")
    func equal() {
        #expect(constantTimeEquals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        let digest = SHA256.hash(Array("abc".utf8))
        #expect(constantTimeEquals(digest, SHA256.hash(Array("abc".utf8))))
    }

    @Test("a difference in the first, a middle or the last byte is found")
    func differentContents() {
        let base = [UInt8](0..<32)
        for index in [0, 15, 31] {
            var changed = base
            changed[index] ^= 0x80
            #expect(!constantTimeEquals(base, changed), "difference at byte \(index) not found")
        }
    }

    @Test("byte strings of different lengths are not equal")
    func differentLengths() {
        #expect(!constantTimeEquals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(!constantTimeEquals([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!constantTimeEquals([0] as [UInt8], [0, 0] as [UInt8]))
    }

    @Test("empty byte strings")
    func empty() {
        #expect(constantTimeEquals([UInt8](), [UInt8]()))
        #expect(!constantTimeEquals([UInt8](), [0] as [UInt8]))
        #expect(!constantTimeEquals([0] as [UInt8], [UInt8]()))
    }

    @Test("different collection types with the same bytes are equal")
    func mixedCollections() {
        let bytes: [UInt8] = [9, 8, 7, 6]
        #expect(constantTimeEquals(bytes[1...], [8, 7, 6] as [UInt8]))
        #expect(constantTimeEquals(Array("vigil".utf8), "vigil".utf8))
        #expect(!constantTimeEquals(bytes[1...], [8, 7, 5] as [UInt8]))
    }
}
