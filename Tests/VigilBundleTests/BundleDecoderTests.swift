import Testing
import VigilBundle
import VigilCrypto
import VigilModel

/// The structure decoders (`BundleFile`, `BundlePayload`) byte by byte and against malformed input.
@Suite("Bundle decoders")
struct BundleDecoderTests {
    private func decodeError(_ bytes: [UInt8]) -> DecodingError? {
        do { _ = try BundleFile(bytes: bytes); return nil } catch { return error }
    }

    @Test("fed one byte at a time, the file decoder refuses every prefix and reads the whole")
    func fileByteByByte() throws {
        let f = try BundleFixture()
        let bytes = try f.seal(try f.messages(1), to: [f.gov, f.acme])
        var fed: [UInt8] = []
        for byte in bytes {
            #expect(decodeError(fed) != nil)
            fed.append(byte)
        }
        let file = try BundleFile(bytes: fed)
        #expect(file.header.recipients.count == 2)
        #expect(file.header.encoded() == Array(bytes[..<file.ciphertextStart]))
    }

    @Test("fed one byte at a time, the payload decoder refuses every prefix and reads the whole")
    func payloadByteByByte() throws {
        let entries = try BundleFixture().messages(3).map(\.canonicalBytes)
        let payload = BundlePayload.encode(entries)
        for length in 0..<payload.count {
            #expect(throws: DecodingError.self) { try BundlePayload.decode(Array(payload.prefix(length))) }
        }
        #expect(try BundlePayload.decode(payload) == entries)
    }

    @Test("malformed headers name the field")
    func malformedHeaders() throws {
        let f = try BundleFixture()
        let good = try f.seal(try f.messages(1), to: [f.gov])
        func with(_ offset: Int, _ value: UInt8) -> [UInt8] { var b = good; b[offset] = value; return b }
        #expect(decodeError(with(0, UInt8(ascii: "X")))?.field == "magic")
        #expect(decodeError(with(8, 2))?.field == "version")
        #expect(decodeError(with(8, 2))?.reason.contains("version 2") == true)
        #expect(decodeError(with(73, 0xff))?.field == "created.ms")
        let countAt = BundleHeader.fixedBytes - 2
        #expect(decodeError(with(countAt + 1, 0))?.field == "recipients")          // zero recipients
        var many = good; many[countAt] = 0x01; many[countAt + 1] = 0x01           // 257
        #expect(decodeError(many)?.field == "recipients")
        let lengthAt = BundleHeader.fixedBytes + BundleRecipient.byteCount
        #expect(decodeError(with(lengthAt, 0x01))?.field == "length")             // 2^56 bytes
        #expect(decodeError(good + [1, 2])?.field == "signature")
        #expect(decodeError([])?.field == "magic")
    }

    @Test("recipients out of order or repeated are refused")
    func recipientOrder() throws {
        let f = try BundleFixture()
        let bytes = try f.seal(try f.messages(1), to: [f.gov, f.acme])
        let start = BundleHeader.fixedBytes, size = BundleRecipient.byteCount
        var swapped = bytes
        swapped.replaceSubrange(start..<(start + 2 * size), with: bytes[(start + size)..<(start + 2 * size)] + bytes[start..<(start + size)])
        #expect(decodeError(swapped)?.field == "recipients[1].identity")
        var repeated = bytes
        repeated.replaceSubrange((start + size)..<(start + 2 * size), with: bytes[start..<(start + size)])
        #expect(decodeError(repeated)?.field == "recipients[1].identity")
    }

    @Test("malformed payloads: too many entries, empty or oversized entries, trailing bytes")
    func malformedPayloads() {
        func error(_ bytes: [UInt8]) -> DecodingError? {
            do { _ = try BundlePayload.decode(bytes); return nil } catch { return error }
        }
        #expect(error([0xff, 0xff, 0xff, 0xff])?.field == "entries")
        #expect(error([0, 0, 0, 1, 0, 0, 0, 0, 9])?.field == "entries[0].length")
        #expect(error([0, 0, 0, 1, 0, 2, 0, 1, 9, 9, 9])?.field == "entries[0].length")
        #expect(error([0, 0, 0, 1, 0, 0, 0, 1, 9, 7])?.field == "payload")
        #expect(error([0, 0, 0])?.field == "entries")
    }
}
