import Testing
import VigilCrypto

/// The public hex helpers used throughout the tests and by callers of VigilCrypto.
@Suite("Hex encoding")
struct HexTests {
    @Test("hex is lower case, two digits a byte")
    func encode() {
        #expect(hex([0x00, 0x0f, 0xa0, 0xff] as [UInt8]) == "000fa0ff")
        #expect(hex([UInt8]()) == "")
    }

    @Test("every byte value, from contiguous storage and from a plain sequence, gives the same digits")
    func everyByte() {
        let all = (0...255).map { UInt8($0) }
        let expected = all.map { b in String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
        #expect(hex(all) == expected)
        #expect(hex(all[1...]) == String(expected.dropFirst(2)))
        #expect(hex(all.lazy.map { $0 }) == expected)   // no contiguous storage: the appending path
        #expect(hex(AnySequence(all)) == expected)
    }

    @Test("bytes(fromHex:) accepts either case")
    func decode() {
        #expect(bytes(fromHex: "000fA0Ff") == [0x00, 0x0f, 0xa0, 0xff])
        #expect(bytes(fromHex: "") == [])
    }

    @Test("bytes(fromHex:) refuses odd lengths and non-hex digits", arguments: ["0", "abc", "0g", "zz", " 00", "0x00"])
    func refuses(text: String) {
        #expect(bytes(fromHex: text) == nil)
    }

    @Test("hex and bytes(fromHex:) round-trip every byte value")
    func roundTrip() {
        let all = [UInt8](0...255)
        #expect(bytes(fromHex: hex(all)) == all)
    }
}
