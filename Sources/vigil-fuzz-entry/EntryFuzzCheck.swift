import Foundation
import VigilCrypto
import VigilModel

/// The checks run on one input, by the libFuzzer entry point and by the corpus replayer alike.
///
/// Any byte string may be refused by the decoder. When one is accepted, everything below must hold;
/// a broken invariant is returned as a message (the fuzzer turns it into a crash).
enum EntryFuzzCheck {
    /// What happened to one input.
    enum Outcome: Equatable {
        /// The decoder refused it (the normal case for random bytes).
        case refused
        /// Decoded; the signature does not verify (or the author is no usable key).
        case decodedUnsigned
        /// Decoded and the signature verifies.
        case decodedValid
        /// A broken invariant: a bug in VigilModel or VigilCrypto.
        case violation(String)
    }

    static func run(_ bytes: [UInt8]) -> Outcome {
        #if FUZZ_SELFTEST
        // Scripts/fuzz --self-test: a planted "bug" that proves crashes are caught and reported.
        if bytes.starts(with: Array("VIGIL-SELFTEST".utf8)) { return .violation("planted self-test failure") }
        #endif
        // The kind peek (used to schedule sends) reads the head like the decoder: it never crashes, and
        // agrees with the decoder on every input the decoder accepts.
        let peeked = try? Entry.kind(ofCanonicalBytes: bytes)
        let entry: Entry
        do {
            entry = try Entry(canonicalBytes: bytes)
            guard peeked == entry.kind else { return .violation("the kind peek says \(peeked.map(\.name) ?? "error"), the decoder \(entry.kind.name)") }
        } catch {
            // Refusals must say where: the offset is inside the input (or at its end).
            guard error.offset >= 0, error.offset <= bytes.count else {
                return .violation("decoding error offset \(error.offset) outside 0...\(bytes.count): \(error)")
            }
            // decodeAndValidate must refuse the same bytes as malformed.
            do {
                _ = try EntryValidator.decodeAndValidate(bytes)
                return .violation("Entry(canonicalBytes:) refused the input but decodeAndValidate accepted it: \(error)")
            } catch {
                guard error.code == .malformed else {
                    return .violation("decodeAndValidate refused undecodable bytes with code \(error.code), not malformed")
                }
            }
            return .refused
        }

        // The value keeps exactly the input.
        guard entry.canonicalBytes == bytes else {
            return .violation("canonicalBytes differs from the decoded input")
        }
        // Canonical form: the decoded fields encode back to exactly the input.
        let reencoded: [UInt8]
        do {
            reencoded = try entry.draft.signedBytes() + entry.signature
        } catch {
            return .violation("a decoded draft does not encode: \(error)")
        }
        guard reencoded == bytes else {
            return .violation("re-encoding gives \(reencoded.count) bytes that differ from the \(bytes.count) input bytes (first difference at \(firstDifference(reencoded, bytes)))")
        }
        guard entry.signature.count == EntryLimits.signatureBytes else {
            return .violation("signature of \(entry.signature.count) bytes")
        }
        guard Array(entry.signedBytes) == Array(bytes.dropLast(EntryLimits.signatureBytes)) else {
            return .violation("signedBytes is not the input minus the signature")
        }
        // The id is SHA-256 of the input.
        guard entry.id.bytes == SHA256.hash(bytes) else {
            return .violation("entry id \(entry.id) is not SHA-256 of the input")
        }
        // The public Audience initialiser (which sorts and de-duplicates) leaves a decoded audience as is,
        // so a decoded audience and a hand-built one with the same members are equal.
        let a = entry.audience
        guard Audience(tlp: a.tlp, roles: a.roles, organisations: a.organisations, nodes: a.nodes) == a else {
            return .violation("the decoded audience is not in the order Audience.init produces")
        }
        // Decoding the encoding again gives an equal entry.
        guard let again = try? Entry(canonicalBytes: reencoded), again == entry, again.draft == entry.draft else {
            return .violation("decoding the re-encoded bytes does not give the same entry")
        }
        // The JSON view of any decodable entry can be built.
        let json = EntryJSON(entry)
        guard json.id == entry.id.hex, json.size == bytes.count else {
            return .violation("EntryJSON disagrees with the entry (id or size)")
        }

        // Signature check: must not crash, and must agree with decodeAndValidate.
        let signatureOK: Bool
        do {
            try EntryValidator.validateSignature(entry)
            signatureOK = true
        } catch {
            guard error.code == .badSignature || error.code == .badAuthorKey else {
                return .violation("validateSignature failed with code \(error.code)")
            }
            signatureOK = false
        }
        let viaDecode: Bool
        do {
            viaDecode = try EntryValidator.decodeAndValidate(bytes) == entry
        } catch {
            viaDecode = false
        }
        guard viaDecode == signatureOK else {
            return .violation("decodeAndValidate (\(viaDecode)) and validateSignature (\(signatureOK)) disagree")
        }
        // The kind's body checks (run by every node on every entry) and the roster body decoder never
        // crash; a body the schema accepts shows in its human form and reads back to the same fields.
        if entry.kind == .roster {
            _ = try? RosterChange(body: entry.body)
        } else if (try? KindSchemas.validate(entry.kind, body: entry.body, createdAt: entry.timestamp.milliseconds)) != nil,
                  KindSchemas.postable.contains(entry.kind), let fields = try? FieldMap(canonicalBytes: entry.body) {
            let human = KindSchemas.humanJSON(entry.kind, fields)
            guard let back = try? KindSchemas.fields(fromJSON: human, kind: entry.kind), back == fields else {
                return .violation("a valid \(entry.kind) body does not read back from its human JSON form")
            }
            _ = KindSchemas.summary(entry.kind, fields)
        }
        // The human JSON reader never crashes on arbitrary bytes.
        _ = try? KindSchemas.fields(fromJSON: Data(bytes), kind: .alert)
        return signatureOK ? .decodedValid : .decodedUnsigned
    }

    private static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset ?? min(a.count, b.count)
    }
}

/// libFuzzer's entry point. A broken invariant is a crash, which libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if case .violation(let message) = EntryFuzzCheck.run(bytes) {
        fatalError("vigil-fuzz-entry: invariant violated: \(message)")
    }
    return 0
}
