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
