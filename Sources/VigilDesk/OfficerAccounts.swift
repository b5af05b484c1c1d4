import Foundation
import VigilCrypto

/// The desk's officer accounts: what `desk-officers.json` holds (mode 0600 in the node directory).
///
/// ```json
/// {"format": "vigil-desk-officers", "version": 1,
///  "officers": [{"name": "alice", "salt": "<32 hex>", "hash": "<64 hex>",
///                "scrypt": {"n": 32768, "r": 8, "p": 1}, "addedMilliseconds": 1796000000000}]}
/// ```
/// The hash is scrypt(password, salt) with the parameters stored next to it, 32 bytes; the password is
/// never stored. Pure: hashing is deterministic and the salt comes in from the caller.
public struct OfficerAccounts: Codable, Equatable, Sendable {
    /// The `format` value that identifies the file.
    public static let formatName = "vigil-desk-officers"
    /// The version this code writes and reads.
    public static let currentVersion = 1
    /// The file's name inside the node directory.
    public static let fileName = "desk-officers.json"

    /// One officer account (a file record).
    public struct Officer: Codable, Equatable, Sendable {
        /// The login name (see `OfficerAccounts.validateName`).
        public var name: String
        /// The scrypt salt, lower-case hex.
        public var salt: String
        /// scrypt(password, salt), lower-case hex.
        public var hash: String
        /// The scrypt cost the hash was made with.
        public var scrypt: Scrypt.Parameters
        /// When the account was added, Unix milliseconds.
        public var addedMilliseconds: UInt64
    }

    /// Always `formatName`.
    public var format: String
    /// The file format version.
    public var version: Int
    /// The accounts, in the order added.
    public private(set) var officers: [Officer]

    /// No officers.
    public init() {
        format = Self.formatName
        version = Self.currentVersion
        officers = []
    }

    /// Reads a file's bytes. Throws `DeskError` naming what is wrong.
    public init(fileBytes: [UInt8]) throws(DeskError) {
        let decoded: OfficerAccounts
        do {
            decoded = try JSONDecoder().decode(OfficerAccounts.self, from: Data(fileBytes))
        } catch {
            throw DeskError(.invalidOfficerFile, "the officer file is not valid JSON of the expected shape (\(error)); restore it from a backup or remove it and add the officers again with `vigil desk add-officer`")
        }
        guard decoded.format == Self.formatName else {
            throw DeskError(.invalidOfficerFile, "the officer file's format is \"\(decoded.format)\", not \"\(Self.formatName)\"")
        }
        guard decoded.version == Self.currentVersion else {
            throw DeskError(.invalidOfficerFile, "the officer file has format version \(decoded.version); this vigil reads version \(Self.currentVersion) — use the vigil that wrote it")
        }
        var seen = Set<String>()
        for officer in decoded.officers {
            try Self.validateName(officer.name)
            guard seen.insert(officer.name).inserted else {
                throw DeskError(.invalidOfficerFile, "the officer file names \(officer.name) twice")
            }
            guard bytes(fromHex: officer.salt)?.count == Self.saltBytes, bytes(fromHex: officer.hash)?.count == Self.hashBytes else {
                throw DeskError(.invalidOfficerFile, "officer \(officer.name): the salt must be \(Self.saltBytes) and the hash \(Self.hashBytes) bytes of hex")
            }
        }
        self = decoded
    }

    /// The file's bytes: pretty, sorted keys, one trailing newline.
    public var fileBytes: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain strings and integers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data()) + [10]
    }

    /// Salt length in bytes.
    public static let saltBytes = 16
    /// Hash length in bytes.
    public static let hashBytes = 32
    /// The shortest password accepted.
    public static let minPasswordCharacters = 12
    /// The longest password accepted (scrypt would take any length; this bounds a login request).
    public static let maxPasswordBytes = 1024

    /// Checks an officer name: 1 to 64 characters, letters, digits, `.`, `_` and `-`.
    public static func validateName(_ name: String) throws(DeskError) {
        let ok = !name.isEmpty && name.count <= 64 && name.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-"
        }
        guard ok else {
            throw DeskError(.invalidOfficerName, "the officer name \"\(name)\" is not allowed: use 1 to 64 letters, digits, '.', '_' or '-' (e.g. j.dupont)")
        }
    }

    /// Checks a new password's length.
    public static func validatePassword(_ password: String) throws(DeskError) {
        guard password.count >= minPasswordCharacters else {
            throw DeskError(.weakPassword, "the password has \(password.count) characters; use at least \(minPasswordCharacters) (a few random words are easy to type at a desk)")
        }
        guard password.utf8.count <= maxPasswordBytes else {
            throw DeskError(.weakPassword, "the password is longer than \(maxPasswordBytes) bytes")
        }
    }

    /// The officer with this name.
    public func officer(named name: String) -> Officer? {
        officers.first { $0.name == name }
    }

    /// Adds an officer, or replaces its password when `replacing` (a password reset).
    public mutating func add(name: String, password: String, salt: [UInt8], now milliseconds: UInt64,
                             parameters: Scrypt.Parameters = .interactive, replacing: Bool = false) throws(DeskError) {
        try Self.validateName(name)
        try Self.validatePassword(password)
        guard salt.count == Self.saltBytes else { throw DeskError(.invalidOfficerFile, "a salt must be \(Self.saltBytes) bytes") }
        let existing = officers.firstIndex { $0.name == name }
        if existing != nil && !replacing {
            throw DeskError(.officerExists, "an officer called \(name) exists already; to set a new password use --replace, or remove the officer first")
        }
        let hash = try Self.hash(password: password, salt: salt, parameters: parameters)
        let record = Officer(name: name, salt: hex(salt), hash: hex(hash), scrypt: parameters, addedMilliseconds: milliseconds)
        if let existing { officers[existing] = record } else { officers.append(record) }
    }

    /// Removes an officer; throws if there is none of that name.
    public mutating func remove(name: String) throws(DeskError) {
        guard let index = officers.firstIndex(where: { $0.name == name }) else {
            throw DeskError(.unknownOfficer, "there is no officer called \(name); `vigil desk list-officers` shows them")
        }
        officers.remove(at: index)
    }

    /// Whether `password` is this officer's. For an unknown name a hash is still computed (with a fixed
    /// salt), so the answer takes the same time and does not reveal which names exist.
    public func verify(name: String, password: String) -> Bool {
        guard password.utf8.count <= Self.maxPasswordBytes else { return false }
        guard let officer = officer(named: name), let salt = bytes(fromHex: officer.salt), let stored = bytes(fromHex: officer.hash),
              let computed = try? Self.hash(password: password, salt: salt, parameters: officer.scrypt) else {
            _ = try? Self.hash(password: password, salt: [UInt8](repeating: 0, count: Self.saltBytes), parameters: .interactive)
            return false
        }
        return constantTimeEquals(computed, stored)
    }

    static func hash(password: String, salt: [UInt8], parameters: Scrypt.Parameters) throws(DeskError) -> [UInt8] {
        do {
            return try Scrypt.derive(password: Array(password.utf8), salt: salt, parameters: parameters, length: hashBytes)
        } catch {
            throw DeskError(.invalidOfficerFile, "cannot hash the password: \(error)")
        }
    }
}
