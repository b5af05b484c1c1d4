// CAP import and export rates of Vigil, measured against `xmllint --noout` parsing the same bytes in the
// same run. Run it through Scripts/bench-cap, which builds it in release mode and pins it to one core.
import Foundation
import VigilBenchSupport
import VigilCAP
import VigilModel

@main
struct BenchCAP {
    static let usage = """
        usage: vigil-bench-cap [--json] [--rounds N] [--small N] [--xmllint PATH]
          --json         also print every figure as one JSON object, on the last line
          --rounds N     alternate xmllint and Vigil N times (default 3): rates are the best round
          --small N      number of small alerts (default 10000)
          --xmllint PATH the xmllint command (default /usr/bin/xmllint)
          --profile PART only Vigil's work, for callgrind or perf, no xmllint and no timing: PART is
                         import-large, import-small, export-large or export-small, done --small N times
          --samples DIR  write the large alert (large.xml) and the first small one (small.xml) to DIR and
                         exit, to run xmllint on the same bytes under callgrind
        Exits 1 when an import ratio misses the target, 2 on a usage error or when xmllint fails.
        """

    /// Vigil import (everything `importFile` does) / xmllint --noout (read and parse the same file) must reach this.
    static let target = 1.0

    static func main() {
        var json = false, rounds = 3, small = 10_000, xmllint = "/usr/bin/xmllint", profile: String?, samples: String?
        var args = Array(CommandLine.arguments.dropFirst())
        while !args.isEmpty {
            let a = args.removeFirst()
            switch a {
            case "--json": json = true
            case "--rounds": rounds = Int(args.first ?? "") ?? 0; if !args.isEmpty { args.removeFirst() }
            case "--small": small = Int(args.first ?? "") ?? 0; if !args.isEmpty { args.removeFirst() }
            case "--xmllint": xmllint = args.first ?? ""; if !args.isEmpty { args.removeFirst() }
            case "--profile": profile = args.first ?? ""; if !args.isEmpty { args.removeFirst() }
            case "--samples": samples = args.first ?? ""; if !args.isEmpty { args.removeFirst() }
            case "-h", "--help": print(usage); exit(0)
            default: FileHandle.standardError.write(Data("vigil-bench-cap: unknown argument \(a)\n\(usage)\n".utf8)); exit(2)
            }
        }
        guard rounds > 0, small > 0 else { FileHandle.standardError.write(Data("vigil-bench-cap: --rounds and --small need a positive number\n".utf8)); exit(2) }
        do {
            if let samples {
                try writeSamples(to: samples)
                exit(0)
            }
            if let profile {
                guard let part = ProfilePart(rawValue: profile) else {
                    FileHandle.standardError.write(Data("vigil-bench-cap: --profile takes one of \(ProfilePart.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
                    exit(2)
                }
                try runProfile(part, count: small)
                exit(0)
            }
            exit(try run(json: json, rounds: rounds, small: small, xmllint: xmllint))
        } catch {
            FileHandle.standardError.write(Data("vigil-bench-cap: \(error)\n".utf8))
            exit(2)
        }
    }

    /// A CAP alert of about `bytes` bytes with one `<info>` per language (nl, fr, de, en).
    static func document(identifier: String, bytes: Int) -> String {
        var infos = ""
        let languages = [("nl-BE", "Overstroming", "Blijf binnen en volg de instructies van de hulpdiensten."),
                         ("fr-BE", "Inondation", "Restez à l'intérieur et suivez les consignes des secours."),
                         ("de-BE", "Hochwasser", "Bleiben Sie drinnen und folgen Sie den Anweisungen."),
                         ("en-GB", "Flood", "Stay indoors and follow the instructions of the emergency services.")]
        let perInfo = max(0, bytes - 900) / languages.count
        for (lang, event, instruction) in languages {
            var area = "<area><areaDesc>Antwerpen &amp; Waasland</areaDesc><polygon>51.25,4.26 51.27,4.26 51.27,4.3 51.25,4.3 51.25,4.26</polygon><circle>51.2611,4.2905 2.5</circle>"
            var geocodes = 0
            while area.utf8.count < perInfo - 700 {
                area += "<geocode><valueName>NIS</valueName><value>\(11_000 + geocodes)</value></geocode>"
                geocodes += 1
            }
            area += "<altitude>0</altitude><ceiling>1500</ceiling></area>"
            infos += """
                <info><language>\(lang)</language><category>Met</category><category>Safety</category><event>\(event)</event>\
                <responseType>Shelter</responseType><urgency>Immediate</urgency><severity>Severe</severity><certainty>Likely</certainty>\
                <eventCode><valueName>SAME</valueName><value>FLW</value></eventCode><effective>2026-11-24T10:05:00+01:00</effective>\
                <expires>2026-11-24T16:00:00+01:00</expires><senderName>Nationaal Crisiscentrum</senderName><headline>\(event) Schelde</headline>\
                <description>\(event): het water van de Schelde stijgt.</description><instruction>\(instruction)</instruction>\
                <web>https://crisiscentrum.be/\(lang)</web><contact>+32 2 488 47 00</contact>\
                <parameter><valueName>level</valueName><value>2</value></parameter>\(area)</info>
                """
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>\(identifier)</identifier><sender>ncc@crisiscentrum.be</sender>\
            <sent>2026-11-24T10:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>\(infos)</alert>

            """
    }

    /// One import, the work `vigil import --cap FILE` does before it posts: read the file, parse it (encoding,
    /// well-formedness, every CAP 1.2 schema rule), map it to the alert body and encode that body (the entry
    /// body bytes, `CAPImportedAlert.body`), and validate the body against Vigil's alert schema
    /// (`CAPImportedAlert.validate()`, as `CAPImportCheck` does). Not included
    /// (xmllint does nothing like it either): signing the entry, the local API call, appending to the store.
    static func importFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        let imported = try CAPImport.alertBody(fromXML: data)
        try imported.validate()
        guard !imported.body.isEmpty else { throw BenchError("\(path): an empty entry body") }
    }

    /// One export, the work `vigil export --cap` does for an entry it holds: decode the entry body from
    /// its canonical bytes and write the CAP XML document it holds. Not included: reading the entry
    /// from the store, the local API call, writing the file.
    static func exportBody(_ body: [UInt8]) throws {
        let fields = try FieldMap(canonicalBytes: body)
        let xml = try CAPExport.xml(fields: fields, identifier: "x", sender: "y", sentMilliseconds: 0)
        guard !xml.isEmpty else { throw BenchError("an empty export") }
    }

    /// What `--profile` runs.
    enum ProfilePart: String, CaseIterable {
        case importLarge = "import-large", importSmall = "import-small", exportLarge = "export-large", exportSmall = "export-small"
    }

    static var largeDocument: Data { Data(document(identifier: "BE-LARGE", bytes: 50_000).utf8) }
    static func smallDocument(_ i: Int) -> Data { Data(document(identifier: "BE-\(i)", bytes: 0).utf8) }

    static func writeSamples(to path: String) throws {
        let dir = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try largeDocument.write(to: dir.appendingPathComponent("large.xml"))
        try smallDocument(0).write(to: dir.appendingPathComponent("small.xml"))
    }

    /// `count` imports or exports of one document, nothing else (for `valgrind --tool=callgrind`, `perf`).
    static func runProfile(_ part: ProfilePart, count: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-cap-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = part == .importLarge || part == .exportLarge ? largeDocument : smallDocument(0)
        let file = dir.appendingPathComponent("alert.xml").path
        try data.write(to: URL(fileURLWithPath: file))
        let body = try CAPImport.alertBody(fromXML: data).body
        switch part {
        case .importLarge, .importSmall: for _ in 0..<count { try importFile(file) }
        case .exportLarge, .exportSmall: for _ in 0..<count { try exportBody(body) }
        }
    }

    /// Seconds xmllint takes to parse `files` (one run, all files as arguments).
    static func xmllintSeconds(_ xmllint: String, _ files: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: xmllint)
        process.arguments = ["--noout"] + files
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let start = BenchClock.now()
        try process.run()
        let complaint = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let seconds = BenchClock.now() - start
        guard process.terminationStatus == 0 else {
            throw BenchError("xmllint failed (\(process.terminationStatus)): \(String(decoding: complaint.prefix(400), as: UTF8.self))")
        }
        return seconds
    }

    static func run(json: Bool, rounds: Int, small: Int, xmllint: String) throws -> Int32 {
        guard FileManager.default.isExecutableFile(atPath: xmllint) else {
            throw BenchError("\(xmllint) is missing (Debian: apt-get install libxml2-utils)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-cap-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let large = largeDocument
        let largeCopies = 200
        let largeFile = dir.appendingPathComponent("large.xml").path
        try large.write(to: URL(fileURLWithPath: largeFile))
        var smallDocs: [Data] = []
        var smallFiles: [String] = []
        for i in 0..<small {
            let d = smallDocument(i)
            let path = dir.appendingPathComponent("s\(i).xml").path
            try d.write(to: URL(fileURLWithPath: path))
            smallDocs.append(d)
            smallFiles.append(path)
        }
        // Check once that the documents import, and keep the bodies for the export measurement.
        let largeBody = try CAPImport.alertBody(fromXML: large).body
        let smallBodies = try smallDocs.map { try CAPImport.alertBody(fromXML: $0).body }

        var best = ["xl": 0.0, "xs": 0.0, "il": 0.0, "is": 0.0, "el": 0.0, "es": 0.0]
        func keep(_ k: String, _ rate: Double) { best[k] = max(best[k]!, rate) }
        for _ in 0..<rounds {
            keep("xl", Double(largeCopies) / (try xmllintSeconds(xmllint, Array(repeating: largeFile, count: largeCopies))))
            keep("xs", Double(small) / (try xmllintSeconds(xmllint, smallFiles)))
            var t = BenchClock.now()
            for _ in 0..<largeCopies { try importFile(largeFile) }
            keep("il", Double(largeCopies) / (BenchClock.now() - t))
            t = BenchClock.now()
            for f in smallFiles { try importFile(f) }
            keep("is", Double(small) / (BenchClock.now() - t))
            t = BenchClock.now()
            for _ in 0..<largeCopies { try exportBody(largeBody) }
            keep("el", Double(largeCopies) / (BenchClock.now() - t))
            t = BenchClock.now()
            for b in smallBodies { try exportBody(b) }
            keep("es", Double(small) / (BenchClock.now() - t))
        }
        var report = BenchReport(title: "CAP import/export vs xmllint --noout (\(large.count)-byte 4-language alert × \(largeCopies); \(small) alerts of \(smallDocs[0].count) bytes; best of \(rounds))")
        report.note("xmllint_large_per_s", "xmllint --noout, large alert", best["xl"]!, unit: "docs/s")
        report.note("xmllint_small_per_s", "xmllint --noout, small alerts", best["xs"]!, unit: "docs/s")
        report.atLeast("import_large_per_s", "import (read, parse, check, map, encode body, validate), large", best["il"]!, unit: "docs/s",
                       limit: best["xl"]!, limitLabel: "xmllint", target: target)
        report.atLeast("import_small_per_s", "import (read, parse, check, map, encode body, validate), small", best["is"]!, unit: "docs/s",
                       limit: best["xs"]!, limitLabel: "xmllint", target: target)
        // Issue 12 sets its target on the import ("no slower than libxml2 parsing alone"); export is measured
        // against the same limit for comparison.
        report.ratio("export_large_per_s", "export (decode body, rebuild, write CAP XML), large", best["el"]!, unit: "docs/s",
                     limit: best["xl"]!, limitLabel: "xmllint", why: "none (import only)")
        report.ratio("export_small_per_s", "export (decode body, rebuild, write CAP XML), small", best["es"]!, unit: "docs/s",
                     limit: best["xs"]!, limitLabel: "xmllint", why: "none (import only)")
        report.note("large_bytes", "large alert size", Double(large.count), unit: "bytes")
        report.note("small_bytes", "small alert size", Double(smallDocs[0].count), unit: "bytes")
        report.print(json: json)
        return report.allPassed ? 0 : 1
    }
}
