/// A failure in the desk's cores: what failed and what to do. A struct over a code, so callers switch
/// on `code` and people read `message`.
public struct DeskError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A stable category.
    public enum Code: String, Sendable, Codable {
        case invalidOfficerFile = "invalid-officer-file"
        case invalidOfficerName = "invalid-officer-name"
        case weakPassword = "weak-password"
        case officerExists = "officer-exists"
        case unknownOfficer = "unknown-officer"
    }

    /// The category.
    public let code: Code
    /// What failed and what to do.
    public let message: String

    /// An error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
