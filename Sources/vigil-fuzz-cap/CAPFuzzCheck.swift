import Foundation
import VigilCAP
import VigilModel

/// The checks run on one input, by the libFuzzer entry point and by the corpus replayer alike.
///
/// Any byte string may be refused by the parser. When one is accepted, everything below must hold;
/// a broken invariant is returned as a message (the fuzzer turns it into a crash).
enum CAPFuzzCheck {
    /// What happened to one input.
    enum Outcome: Equatable {
        /// The parser refused it (the normal case for random bytes).
        case refused
        /// Parsed, but the mapping to Vigil alert bodies refused it (Draft, no info, …).
        case parsedNotImported
        /// Parsed and mapped to alert bodies.
        case imported
        /// A broken invariant: a bug in VigilCAP.
        case violation(String)
    }

    static func run(_ bytes: [UInt8]) -> Outcome {
        #if FUZZ_SELFTEST
        if bytes.starts(with: Array("VIGIL-SELFTEST".utf8)) { return .violation("planted self-test failure") }
        #endif
        let alert: CAPAlert
        do {
            alert = try CAPParser.parse(Data(bytes))
        } catch {
            // A refusal always says why.
            guard !error.reason.isEmpty else { return .violation("a refusal without a reason at \(error.path)") }
            // Quoted document text is cut short: a message never grows with the input.
            guard error.description.count <= 4096 else { return .violation("a \(error.description.count)-character error message: \(error.description.prefix(200))…") }
            return .refused
        }

        // Writing gives a document that parses back to the same model, and writing that gives the same bytes.
        let xml = CAPWriter.xml(alert)
        let again: CAPAlert
        do {
            again = try CAPParser.parse(xml)
        } catch {
            return .violation("the writer's output for an accepted document is refused: \(error)")
        }
        guard again == alert else { return .violation("parse(write(alert)) differs from alert") }
        guard CAPWriter.xml(again) == xml else { return .violation("writing is not idempotent") }

        // Mapping: the body is a valid alert body within the entry limits; after crossing to another node
        // (canonical bytes, decoded again) it exports a document equivalent to the input.
        let body: CAPImportedAlert
        do {
            body = try CAPImport.alertBody(from: alert)
        } catch {
            guard !error.reason.isEmpty else { return .violation("an import refusal without a reason") }
            return .parsedNotImported
        }
        // Validation as the import does it (nothing left to check for a parsed document: the view and the
        // CAP fields meet the schema by construction) gives what the schema gives for the whole body.
        var full: KindValidationError?
        do { try KindSchemas.validate(.alert, body.fields, createdAt: nil) } catch { full = error }
        var fast: KindValidationError?
        do { try body.validate() } catch { fast = error }
        guard fast == full else {
            return .violation("CAPImportedAlert.validate() gives \(fast.map { "\($0)" } ?? "no error"), the schema \(full.map { "\($0)" } ?? "no error")")
        }
        if let full { return .violation("the imported body is not a valid alert body: \(full)") }
        guard let encoded = try? body.fields.encoded(), encoded.count <= EntryLimits.maxBodyBytes,
              let crossed = try? FieldMap(canonicalBytes: encoded) else {
            return .violation("the body does not encode and decode within \(EntryLimits.maxBodyBytes) bytes")
        }
        // The bytes the import wrote straight from the model (CAPBodyWriter) are the body's canonical
        // encoding, by the one-pass writer and by the checked one alike.
        guard body.body == encoded, (try? body.fields.checkedEncoding()) == encoded else {
            return .violation("the imported body bytes differ from the body's canonical encoding")
        }
        let exported: Data
        do {
            exported = try CAPExport.xml(fields: crossed, identifier: alert.identifier, sender: alert.sender,
                                         sentMilliseconds: alert.sent.milliseconds)
        } catch {
            return .violation("an imported body does not export: \(error)")
        }
        if let difference = CAPCanonical.difference(Data(bytes), exported) {
            return .violation("the export is not equivalent to the input: \(difference)")
        }
        return .imported
    }
}

/// libFuzzer's entry point. A broken invariant is a crash, which libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCAP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if case .violation(let message) = CAPFuzzCheck.run(bytes) {
        fatalError("vigil-fuzz-cap: invariant violated: \(message)")
    }
    return 0
}
