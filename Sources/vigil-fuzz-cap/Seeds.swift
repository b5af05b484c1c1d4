import Foundation
import VigilCAP

/// Seed documents built in code (the samples in ../shared/testdata/cap are read in place by Scripts/fuzz
/// as a second, read-only corpus): every element, several encodings, Update/Cancel, Draft, edge values.
enum Seeds {
    static func alerts() -> [CAPAlert] {
        let sent = CAPDateTime("2024-05-01T10:00:00+02:00")!
        let square = CAPPolygon(points: [CAPPoint(latitude: 47_000_000, longitude: 8_000_000), CAPPoint(latitude: 47_000_000, longitude: 8_100_000),
                                         CAPPoint(latitude: 47_100_000, longitude: 8_100_000), CAPPoint(latitude: 47_000_000, longitude: 8_000_000)])
        let full = CAPInfo(language: "de-CH", categories: [.cbrne, .env], event: "Chemical release & smoke", responseTypes: [.shelter, .monitor],
                           urgency: .immediate, severity: .severe, certainty: .observed, audience: "residents",
                           eventCodes: [CAPValuePair(valueName: "SAME", value: "HMW")], effective: sent,
                           onset: CAPDateTime("2024-05-01T10:05:00+02:00"), expires: CAPDateTime("2024-05-01T18:00:00+02:00"),
                           senderName: "Kantonspolizei", headline: "Fenster schliessen <sofort>", description: "Rauch über \"Werk 2\"",
                           instruction: "Drinnen bleiben", web: "https://example.org/a?b=c&d=e", contact: "112",
                           parameters: [CAPValuePair(valueName: "x", value: "")],
                           resources: [CAPResource(resourceDesc: "map", mimeType: "image/png", size: 1234, uri: "https://example.org/m.png", derefUri: "AAAA", digest: "00")],
                           areas: [CAPArea(areaDesc: "Werk 2", polygons: [square],
                                           circles: [CAPCircle(center: CAPPoint(latitude: -1_500_000, longitude: 179_999_999), radiusMillimetres: 2_500_500)],
                                           geocodes: [CAPValuePair(valueName: "BFS", value: "261")], altitude: "100", ceiling: "2000.5")])
        let minimal = CAPInfo(categories: [.other], event: "", urgency: .unknown, severity: .unknown, certainty: .unknown)
        return [
            CAPAlert(identifier: "seed-1", sender: "ops@example.org", sent: sent, status: .actual, msgType: .alert, infos: [full]),
            CAPAlert(identifier: "seed-2", sender: "ops@example.org", sent: sent, status: .exercise, msgType: .update, source: "desk",
                     scope: .restricted, restriction: "staff", codes: ["a", "b"], note: "n",
                     references: "ops@example.org,seed-1,2024-05-01T10:00:00+02:00", incidents: "i1 i2", infos: [full, minimal]),
            CAPAlert(identifier: "seed-3", sender: "ops@example.org", sent: sent, status: .test, msgType: .cancel, scope: .private,
                     addresses: "\"a b\" c", references: "x,y,2024-05-01T10:00:00+02:00", infos: [minimal]),
            CAPAlert(identifier: "seed-4", sender: "ops@example.org", sent: sent, status: .draft, msgType: .ack),
        ]
    }

    /// The seed documents: each alert in UTF-8, plus the first in UTF-16 LE/BE and ISO-8859-1.
    static func documents() -> [Data] {
        var docs = alerts().map(CAPWriter.xml)
        let text = CAPWriter.string(alerts()[0])
        let utf16 = text.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"UTF-16\"")
        docs.append(Data([0xFF, 0xFE]) + utf16.data(using: .utf16LittleEndian)!)
        docs.append(Data([0xFE, 0xFF]) + utf16.data(using: .utf16BigEndian)!)
        docs.append(text.replacingOccurrences(of: "encoding=\"UTF-8\"", with: "encoding=\"ISO-8859-1\"").data(using: .isoLatin1)!)
        return docs
    }

    /// `--make-seeds DIR`: writes the seeds and says so. Returns the exit status.
    static func command(directory: String) -> Int32 {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let docs = documents()
            for (i, doc) in docs.enumerated() {
                let path = (directory as NSString).appendingPathComponent(String(format: "seed-%02d.xml", i))
                guard FileManager.default.createFile(atPath: path, contents: doc) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
            print("vigil-fuzz-cap: wrote \(docs.count) seed documents to \(directory)")
            return 0
        } catch {
            FileHandle.standardError.write(Data("vigil-fuzz-cap: cannot write seeds to \(directory): \(error)\n".utf8))
            return 2
        }
    }

    /// `--make-dict FILE`: a libFuzzer dictionary of CAP element names, values and XML tokens.
    static func dictionary(file: String) -> Int32 {
        let names = ["alert", "identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
                     "code", "note", "references", "incidents", "info", "language", "category", "event", "responseType",
                     "urgency", "severity", "certainty", "audience", "eventCode", "effective", "onset", "expires", "senderName",
                     "headline", "description", "instruction", "web", "contact", "parameter", "resource", "resourceDesc",
                     "mimeType", "size", "uri", "derefUri", "digest", "area", "areaDesc", "polygon", "circle", "geocode",
                     "altitude", "ceiling", "valueName", "value"]
        var tokens = names.flatMap { ["<\($0)>", "</\($0)>"] }
        tokens += ["Actual", "Exercise", "System", "Test", "Draft", "Alert", "Update", "Cancel", "Ack", "Error", "Public",
                   "Restricted", "Private", "Geo", "Met", "CBRNE", "Immediate", "Unknown", "Severe", "Likely",
                   "urn:oasis:names:tc:emergency:cap:1.2", "xmlns=", "http://www.w3.org/2000/09/xmldsig#",
                   "<?xml version=\"1.0\" encoding=\"", "UTF-16", "ISO-8859-1", "windows-1252", "?>", "<![CDATA[", "]]>",
                   "<!--", "-->", "&amp;", "&#x", "2024-05-01T10:00:00+02:00", "-00:00", "47.1,8.1", " 0", "<!DOCTYPE", "<!ENTITY"]
        let lines = tokens.map { token -> String in
            var escaped = ""
            for byte in token.utf8 {
                if byte == 0x22 || byte == 0x5C || byte < 0x20 || byte > 0x7E { escaped += String(format: "\\x%02X", byte) } else { escaped.unicodeScalars.append(Unicode.Scalar(byte)) }
            }
            return "\"\(escaped)\""
        }
        guard FileManager.default.createFile(atPath: file, contents: Data((lines.joined(separator: "\n") + "\n").utf8)) else {
            FileHandle.standardError.write(Data("vigil-fuzz-cap: cannot write \(file)\n".utf8))
            return 2
        }
        return 0
    }
}
