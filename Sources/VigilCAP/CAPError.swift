/// Why a CAP document, or a mapping to or from a Vigil alert body, was refused.
///
/// `path` names the element (`alert/info[1]/area[0]/polygon[0]`, indices from 0) or, for mapping
/// problems, the alert-body field (`areas[2].circles[0].lat`); it is empty when the problem concerns the
/// whole document (size, encoding, DTD, well-formedness before the root element).
/// `reason` says what is wrong and, where there is a fixed choice, what is allowed.
public struct CAPError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Where the problem is.
    public let path: String
    /// What is wrong.
    public let reason: String

    /// An error at `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
