import VigilBundle
import VigilCrypto
import VigilModel

/// A fixed federation the fuzzer opens bundles in: its keys come from constant seeds, so the seed
/// bundles (sealed by `Seeds`) open, and mutations of them run through every check of `BundleOpener`.
enum BundleFuzzFixture {
    static let exporter = try! SigningKey(seed: SecureBytes([UInt8](repeating: 1, count: 32)))
    static let recipientSigning = try! SigningKey(seed: SecureBytes([UInt8](repeating: 2, count: 32)))
    static let recipientKey = try! AgreementKey(rawRepresentation: SecureBytes([UInt8](repeating: 3, count: 32)))
    static var exporterID: NodeID { NodeID(exporter.publicKey) }
    static var recipientID: NodeID { NodeID(recipientSigning.publicKey) }
    static let roster = Roster(authority: NodeID(exporter.publicKey), founders: [
        RosterMember(identity: NodeID(exporter.publicKey), name: "ncc", organisation: "NCC", role: "authority"),
        RosterMember(identity: NodeID(recipientSigning.publicKey), name: "gov", organisation: "Gov", role: "government"),
    ])
}

/// The checks run on one input, by the libFuzzer entry point and by the corpus replayer alike: the
/// file decoder, the opener, and the payload decoder. Any input may be refused; a refusal must say
/// why, and whatever is accepted must re-encode to the same bytes.
enum BundleFuzzCheck {
    /// What happened to one input.
    enum Outcome: Equatable {
        /// The structure decoder refused it.
        case malformed
        /// Well formed, refused by the opener (foreign, signature, address…).
        case refused
        /// Opened (a seed or an unchanged part of one).
        case opened
        /// A broken invariant: a bug.
        case violation(String)
    }

    static func run(_ bytes: [UInt8]) -> Outcome {
        #if FUZZ_SELFTEST
        if bytes.starts(with: Array("VIGIL-SELFTEST".utf8)) { return .violation("planted self-test failure") }
        #endif
        if let problem = payloadProblem(bytes) { return .violation(problem) }
        let file: BundleFile
        do {
            file = try BundleFile(bytes: bytes)
        } catch {
            return error.reason.isEmpty ? .violation("a decoding refusal without a reason at \(error.field)") : .malformed
        }
        guard file.header.encoded() == Array(bytes[..<file.ciphertextStart]) else { return .violation("the header does not re-encode to its bytes") }
        guard file.ciphertextStart + Int(file.header.ciphertextLength) + 80 == bytes.count else { return .violation("the parts do not add up to the file") }
        do {
            let opened = try BundleOpener.open(bytes, roster: BundleFuzzFixture.roster, identity: BundleFuzzFixture.recipientID,
                                               key: BundleFuzzFixture.recipientKey)
            guard BundlePayload.encode(opened.entries).count == file.ciphertext.count else {
                return .violation("the opened entries do not account for the whole ciphertext")
            }
            return .opened
        } catch {
            return error.message.isEmpty ? .violation("a bundle refusal without a message") : .refused
        }
    }

    /// The payload decoder on the raw input: nil, or the invariant it broke.
    static func payloadProblem(_ bytes: [UInt8]) -> String? {
        do {
            let entries = try BundlePayload.decode(bytes)
            return BundlePayload.encode(entries) == bytes ? nil : "a decoded payload does not re-encode to its bytes"
        } catch {
            return error.reason.isEmpty ? "a payload refusal without a reason" : nil
        }
    }
}

/// libFuzzer's entry point. A broken invariant is a crash, which libFuzzer reports with the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    if case .violation(let message) = BundleFuzzCheck.run(bytes) {
        fatalError("vigil-fuzz-bundle: invariant violated: \(message)")
    }
    return 0
}
