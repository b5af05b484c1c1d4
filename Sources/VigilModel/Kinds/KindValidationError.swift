/// Why a typed entry body was refused: the dotted path of the field and a precise reason that says what
/// is allowed, e.g. `level: 7 is not 1–4 (1 low … 4 critical)`.
public struct KindValidationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `areas[0].polygons[1]`; `body` for the body as a whole.
    public let field: String
    /// What is wrong and what is allowed.
    public let reason: String

    /// An error about `field`.
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// `field: reason`.
    public var description: String { "\(field): \(reason)" }
}
