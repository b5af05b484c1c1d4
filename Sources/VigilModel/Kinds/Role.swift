/// The role of a federation member. Roles name recipients in audiences (`Audience.roles`), the role a
/// communication test expects to answer, and the roles an alert targets.
public enum Role: String, CaseIterable, Sendable {
    /// Provincial or municipal authority (governor, mayor's office) that leads crisis management.
    case authority = "authority"
    /// National government department or ministry.
    case government = "government"
    /// National or regional crisis centre that coordinates and distributes information.
    case crisisCentre = "crisis-centre"
    /// Police services.
    case police = "police"
    /// Fire and rescue services.
    case fireRescue = "fire-rescue"
    /// Medical services: emergency medical dispatch, hospitals, public health.
    case medical = "medical"
    /// A company (critical operator or private partner) that reports incidents and receives notices.
    case company = "company"

    /// One line for people.
    public var about: String {
        switch self {
        case .authority: "provincial or municipal authority leading crisis management"
        case .government: "national government department or ministry"
        case .crisisCentre: "national or regional crisis centre coordinating information"
        case .police: "police services"
        case .fireRescue: "fire and rescue services"
        case .medical: "medical services: dispatch, hospitals, public health"
        case .company: "company (critical operator or private partner)"
        }
    }

    /// The known role names, comma-separated, for messages.
    public static var knownNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The role called `name`, or an error naming `field` and listing the known roles.
    public init(name: String, field: String) throws(KindValidationError) {
        guard let role = Role(rawValue: name) else {
            throw KindValidationError(field: field, reason: "\"\(name)\" is not a known role (\(Role.knownNames))")
        }
        self = role
    }
}
