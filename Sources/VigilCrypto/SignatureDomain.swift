/// A fixed context prefix placed before the bytes a node signs, so that a signature made for one
/// purpose can never be replayed as a signature for another.
///
/// The same Ed25519 key also signs TLS 1.3 CertificateVerify messages, whose signed input starts with
/// 64 spaces; every Vigil prefix starts with `vigil/`, so the two can never collide.
public struct SignatureDomain: Hashable, Sendable {
    /// The exact bytes prefixed to the message: the ASCII label followed by one zero byte.
    public let prefix: [UInt8]

    /// A domain for `label` (ASCII, no zero byte).
    public init(label: String) {
        precondition(!label.utf8.contains(0), "a signature domain label cannot contain a zero byte")
        prefix = Array(label.utf8) + [0]
    }

    /// Signed entries of the shared log.
    public static let entry = SignatureDomain(label: "vigil/v1/entry")
    /// Sneakernet bundle files, signed by the exporting node (docs/bundles.md).
    public static let bundle = SignatureDomain(label: "vigil/v1/bundle")
}
