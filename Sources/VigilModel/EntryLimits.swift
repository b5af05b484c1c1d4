import Foundation

/// Hard size limits of an entry. Decoding refuses anything beyond them, so one entry can never make a
/// node allocate more than `maxEncodedBytes` while reading it.
public enum EntryLimits {
    /// The only format version this code reads and writes.
    public static let formatVersion: UInt8 = 1
    /// An entry's whole canonical encoding, signature included.
    public static let maxEncodedBytes = 128 * 1024
    /// The kind-specific body.
    public static let maxBodyBytes = 120 * 1024
    /// References to other entries.
    public static let maxRefs = 16
    /// Recipient roles.
    public static let maxRoles = 16
    /// Recipient organisations.
    public static let maxOrganisations = 64
    /// Recipient nodes.
    public static let maxNodes = 256
    /// A role name, in bytes.
    public static let maxRoleBytes = 32
    /// An organisation name, in UTF-8 bytes.
    public static let maxOrganisationBytes = 64
    /// Bytes of an Ed25519 signature.
    public static let signatureBytes = 64
}

/// Checks of the strings an audience may hold. The same rules apply when encoding and decoding, so an
/// entry that encodes always decodes.
public enum AudienceNames {
    /// Why `role` is not a valid role name, or nil: 1–32 bytes of `a-z`, `0-9` and `-`, starting with a letter.
    public static func problem(role: String) -> String? {
        let utf8 = Array(role.utf8)
        guard !utf8.isEmpty else { return "a role name cannot be empty" }
        guard utf8.count <= EntryLimits.maxRoleBytes else {
            return "role name of \(utf8.count) bytes is longer than \(EntryLimits.maxRoleBytes)"
        }
        guard (0x61...0x7a).contains(utf8[0]) else { return "role name \"\(role)\" must start with a letter a-z" }
        for b in utf8 where !((0x61...0x7a).contains(b) || (0x30...0x39).contains(b) || b == 0x2d) {
            return "role name \"\(role)\" may hold only a-z, 0-9 and '-'"
        }
        return nil
    }

    /// Why `organisation` is not a valid organisation name, or nil: 1–64 bytes of UTF-8 in Unicode
    /// normal form C, no control characters, no leading or trailing white space. Normal form C makes
    /// two names that look the same have the same bytes, so recipient matching cannot be fooled.
    public static func problem(organisation: String) -> String? {
        let count = organisation.utf8.count
        guard count > 0 else { return "an organisation name cannot be empty" }
        guard count <= EntryLimits.maxOrganisationBytes else {
            return "organisation name of \(count) bytes is longer than \(EntryLimits.maxOrganisationBytes)"
        }
        for scalar in organisation.unicodeScalars {
            if scalar.value < 0x20 || (0x7f...0x9f).contains(scalar.value) {
                return "organisation name contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))"
            }
        }
        guard organisation.precomposedStringWithCanonicalMapping.utf8.elementsEqual(organisation.utf8) else {
            return "organisation name \"\(organisation)\" is not in Unicode normal form C"
        }
        if organisation.first!.isWhitespace || organisation.last!.isWhitespace {
            return "organisation name \"\(organisation)\" has leading or trailing white space"
        }
        return nil
    }
}
