import Foundation
import VigilModel

/// Turns the raw bytes of a CAP document into the UTF-8 that `CAPXMLReader` reads, once, up front:
/// size limit, byte order mark and declared encoding, transcoding and UTF-8 validation.
enum CAPInput {
    /// Documents larger than this are refused before anything else is looked at.
    static let maxBytes = 1 << 20

    /// The encodings Vigil reads, for messages.
    static let supported = "UTF-8, UTF-16 (with a byte order mark), ISO-8859-1, windows-1252 and US-ASCII"

    private enum Detected {
        case utf8BOM, utf16LE(bom: Bool), utf16BE(bom: Bool), eightBit
    }

    /// The document as UTF-8 bytes whose XML declaration (if any) says `UTF-8`.
    static func utf8Document(_ data: Data) throws(CAPError) -> [UInt8] {
        guard data.count <= maxBytes else {
            throw CAPError(path: "", reason: "the document is \(data.count) bytes; CAP documents over 1 MiB (\(maxBytes) bytes) are refused")
        }
        let bytes = [UInt8](data)
        guard !bytes.isEmpty else { throw CAPError(path: "", reason: "the document is empty") }
        // The first four bytes, missing ones as -1 (no array per comparison).
        let b0 = Int(bytes[0]), b1 = bytes.count > 1 ? Int(bytes[1]) : -1
        let b2 = bytes.count > 2 ? Int(bytes[2]) : -1, b3 = bytes.count > 3 ? Int(bytes[3]) : -1
        func starts(_ a: Int, _ b: Int, _ c: Int = -2, _ d: Int = -2) -> Bool {
            b0 == a && b1 == b && (c == -2 || b2 == c) && (d == -2 || b3 == d)
        }

        let detected: Detected
        if starts(0x00, 0x00, 0xFE, 0xFF) || starts(0xFF, 0xFE, 0x00, 0x00) {
            throw CAPError(path: "", reason: "the document is UTF-32 (byte order mark); Vigil reads \(supported)")
        } else if starts(0xEF, 0xBB, 0xBF) {
            detected = .utf8BOM
        } else if starts(0xFF, 0xFE) {
            detected = .utf16LE(bom: true)
        } else if starts(0xFE, 0xFF) {
            detected = .utf16BE(bom: true)
        } else if starts(0x3C, 0x00, 0x3F, 0x00) {
            detected = .utf16LE(bom: false)
        } else if starts(0x00, 0x3C, 0x00, 0x3F) {
            detected = .utf16BE(bom: false)
        } else {
            detected = .eightBit
        }

        var text: String
        switch detected {
        case .utf16LE(let bom), .utf16BE(let bom):
            let little: Bool
            if case .utf16LE = detected { little = true } else { little = false }
            let body = Data(bytes.dropFirst(bom ? 2 : 0))
            guard body.count % 2 == 0,
                  let decoded = String(data: body, encoding: little ? .utf16LittleEndian : .utf16BigEndian) else {
                throw CAPError(path: "", reason: "the document is not valid UTF-16 \(little ? "little" : "big")-endian")
            }
            text = decoded
            // The declaration is ASCII, so reading it on the decoded text's UTF-8 bytes reads its characters.
            if let declared = Array(text.utf8.prefix(1024)).withUnsafeBufferPointer({ encodingValue(inBytes: $0)?.value }) {
                switch declared.lowercased() {
                case "utf-16", "utf16": break
                case "utf-16le" where little: break
                case "utf-16be" where !little: break
                default:
                    if encoding(named: declared) == nil { throw unsupported(declared) }
                    throw CAPError(path: "", reason: "the XML declaration says encoding \"\(declared)\" but the document is UTF-16 \(little ? "little" : "big")-endian")
                }
            }
        case .utf8BOM, .eightBit:
            let hasBOM: Bool
            if case .utf8BOM = detected { hasBOM = true } else { hasBOM = false }
            let body = bytes.dropFirst(hasBOM ? 3 : 0)
            // The declaration read on the bytes (it is ASCII), with the value's range from the body's start.
            let declaration = body.withUnsafeBufferPointer { encodingValue(inBytes: $0) }
            var chosen = String.Encoding.utf8
            if let declared = declaration?.value {
                guard let named = encoding(named: declared) else { throw unsupported(declared) }
                if named == .utf16LittleEndian || named == .utf16BigEndian || named == .utf16 {
                    throw CAPError(path: "", reason: "the XML declaration says encoding \"\(declared)\" but the document has no UTF-16 byte order mark and is not UTF-16")
                }
                if hasBOM && named != .utf8 {
                    throw CAPError(path: "", reason: "the XML declaration says encoding \"\(declared)\" but the document starts with a UTF-8 byte order mark")
                }
                chosen = named
            }
            if chosen == .utf8 {
                // Already UTF-8: validated in place, handed on without decoding to a String and back.
                guard body.withUnsafeBufferPointer({ UTF8Check.isValid($0) }) else {
                    throw CAPError(path: "", reason: "the document is not valid \(name(of: chosen))")
                }
                var u = hasBOM ? Array(body) : bytes
                if u.count >= 3, u[0] == 0xEF, u[1] == 0xBB, u[2] == 0xBF {
                    u.removeFirst(3)   // as below: a second mark goes too, and the declaration after it is rewritten
                    rewriteDeclaredEncoding(&u)
                } else if let (value, range) = declaration, value != "UTF-8" {
                    u.replaceSubrange(range, with: Array("UTF-8".utf8))   // what rewriteDeclaredEncoding does
                }
                return u
            }
            guard let decoded = String(data: Data(body), encoding: chosen) else {
                throw CAPError(path: "", reason: "the document is not valid \(name(of: chosen))")
            }
            text = decoded
        }
        var u = Array(text.utf8)
        if u.starts(with: [0xEF, 0xBB, 0xBF]) { u.removeFirst(3) }

        rewriteDeclaredEncoding(&u)
        return u
    }

    private static func unsupported(_ declared: String) -> CAPError {
        CAPError(path: "", reason: "unsupported encoding \"\(declared)\" in the XML declaration; Vigil reads \(supported)")
    }

    /// The Foundation encoding for a declared name, or nil when Vigil does not read it.
    static func encoding(named declared: String) -> String.Encoding? {
        switch declared.lowercased() {
        case "utf-8", "utf8": .utf8
        case "utf-16", "utf16": .utf16
        case "utf-16le": .utf16LittleEndian
        case "utf-16be": .utf16BigEndian
        case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "iso-ir-100", "cp819": .isoLatin1
        case "windows-1252", "cp1252", "x-cp1252": .windowsCP1252
        case "us-ascii", "ascii": .ascii
        default: nil
        }
    }

    private static func name(of encoding: String.Encoding) -> String {
        switch encoding {
        case .isoLatin1: "ISO-8859-1"
        case .windowsCP1252: "windows-1252"
        case .ascii: "US-ASCII"
        default: "UTF-8"
        }
    }

    /// The value of the `encoding` pseudo-attribute of an XML declaration at the very start of the bytes of
    /// an ASCII-compatible document (`<?xml`, a space, up to the first `?>` within 1024 bytes), and the
    /// value's byte range; nil when there is none. The one reader of the declaration, for every encoding.
    static func encodingValue(inBytes u: UnsafeBufferPointer<UInt8>) -> (value: String, range: Range<Int>)? {
        // The head: up to the first `?>`, at most 1024 bytes; the declaration: `<?xml` and a space
        // at the start, and a `?>` in the head.
        let limit = min(u.count, 1024)
        var end = -1
        var k = 1
        while k < limit {
            if u[k - 1] == 0x3F && u[k] == 0x3E { end = k + 1; break }
            k += 1
        }
        func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
        guard limit > 6, u[0] == 0x3C, u[1] == 0x3F, u[2] == 0x78, u[3] == 0x6D, u[4] == 0x6C, isSpace(u[5]) else { return nil }
        // The `?>` must begin at 5 or later; the one found first ends the head, so it is the declaration's end.
        guard end >= 7 else { return nil }
        let key: StaticString = "encoding"
        var i = 0
        while i + 8 <= end {
            let matches = u[i] == 0x65 && key.withUTF8Buffer { w in (1..<8).allSatisfy { u[i + $0] == w[$0] } }
            guard matches, i > 0, isSpace(u[i - 1]) else { i += 1; continue }
            var j = i + 8
            while j < end, isSpace(u[j]) { j += 1 }
            guard j < end, u[j] == 0x3D else { return nil }
            j += 1
            while j < end, isSpace(u[j]) { j += 1 }
            guard j < end, u[j] == 0x22 || u[j] == 0x27 else { return nil }
            let quote = u[j]
            let start = j + 1
            var stop = start
            while stop < end, u[stop] != quote { stop += 1 }
            guard stop < end else { return nil }
            var value = ""
            for b in u[start..<stop] { value.unicodeScalars.append(Unicode.Scalar(b)) }
            return (value, start..<stop)
        }
        return nil
    }

    /// `text` with the declaration's encoding replaced by `UTF-8` (the bytes handed on are UTF-8).
    static func rewritingDeclaredEncoding(_ text: String) -> String {
        var u = Array(text.utf8)
        rewriteDeclaredEncoding(&u)
        return String(decoding: u, as: UTF8.self)
    }

    /// Replaces the declaration's encoding value in UTF-8 bytes by `UTF-8`.
    static func rewriteDeclaredEncoding(_ u: inout [UInt8]) {
        guard let (_, range) = u.withUnsafeBufferPointer({ encodingValue(inBytes: $0) }) else { return }
        u.replaceSubrange(range, with: Array("UTF-8".utf8))
    }
}
