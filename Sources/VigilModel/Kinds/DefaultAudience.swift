extension KindSchemas {
    /// The audience an entry of `kind` gets unless the author chooses another (reasons in `audienceReason`
    /// and `docs/kinds.md`):
    ///
    /// - sitrep: TLP:AMBER to authority, government, crisis-centre;
    /// - threat: TLP:AMBER to authority, government, crisis-centre, police;
    /// - incident: TLP:AMBER to authority, police;
    /// - assessment: TLP:AMBER to authority, police (the node posting one widens its target incident's
    ///   audience to the incident's author instead: `AssessmentRules.audience`);
    /// - alert: TLP:AMBER to its `target_roles` plus authority when it has target roles, else TLP:GREEN;
    /// - message: TLP:GREEN;
    /// - commtest: everyone → TLP:GREEN, role → TLP:AMBER to that role, nodes → TLP:RED to those nodes;
    /// - ack, update, roster, enckey: TLP:GREEN (an ack or update normally copies its target's audience; the
    ///   caller decides).
    public static func defaultAudience(_ kind: EntryKind, fields: FieldMap) -> Audience {
        switch kind {
        case .situationReport:
            return Audience(tlp: .amber, roles: roles(.authority, .government, .crisisCentre))
        case .threatNotice:
            return Audience(tlp: .amber, roles: roles(.authority, .government, .crisisCentre, .police))
        case .incident, .assessment:
            return Audience(tlp: .amber, roles: roles(.authority, .police))
        case .alert:
            let targets = (fields.list("target_roles") ?? []).compactMap { value -> String? in
                if case .text(let t) = value, Role(rawValue: t) != nil { return t }
                return nil
            }
            return targets.isEmpty ? Audience(tlp: .green) : Audience(tlp: .amber, roles: targets + [Role.authority.rawValue])
        case .message:
            return Audience(tlp: .green)
        case .commTest:
            switch fields.text("expect") {
            case "role":
                if let role = fields.text("role") { return Audience(tlp: .amber, roles: [role]) }
                return Audience(tlp: .green)
            case "nodes":
                let nodes = (fields.list("nodes") ?? []).compactMap { value -> NodeID? in
                    if case .id(let id) = value { return id }
                    return nil
                }
                return Audience(tlp: .red, nodes: nodes)
            default:
                return Audience(tlp: .green)
            }
        case .acknowledgement, .update, .roster, .encryptionKey:
            return Audience(tlp: .green)
        }
    }

    /// Why `kind` gets its default audience, one line for help and docs.
    public static func audienceReason(_ kind: EntryKind) -> String {
        switch kind {
        case .situationReport:
            "TLP:AMBER to authority, government, crisis-centre — situation reports carry operational detail (casualties, locations, resources) for those who lead crisis management, not for every member."
        case .threatNotice:
            "TLP:AMBER to authority, government, crisis-centre, police — threat information is sensitive; the police act on it, and it must not reach companies or the public unfiltered."
        case .incident:
            "TLP:AMBER to authority, police — an early warning from a company names a site and may concern a suspect; police and the responsible authority assess it first."
        case .assessment:
            "the assessed incident's audience plus the incident's author — the reporting company reads the status and the answer, and nobody reads the assessment who could not read the incident."
        case .alert:
            "TLP:AMBER to its target_roles plus authority when target_roles is given (the authority stays informed of every targeted alert), else TLP:GREEN — an alert is meant to be acted on by everyone it concerns."
        case .message:
            "TLP:GREEN — a message is federation-wide by default; choose a narrower audience for sensitive content."
        case .commTest:
            "everyone → TLP:GREEN, role → TLP:AMBER to that role, nodes → TLP:RED to those nodes — a test reaches exactly the members expected to answer."
        case .encryptionKey:
            "TLP:GREEN — every member needs every member's bundle encryption key (docs/bundles.md)."
        case .acknowledgement, .update, .roster:
            "TLP:GREEN — normally replaced by the target entry's audience (ack, update) or set by the roster code."
        }
    }

    private static func roles(_ roles: Role...) -> [String] { roles.map(\.rawValue) }
}
