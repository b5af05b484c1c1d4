/// Which CAP message an alert body holds and which earlier messages it names: what the log needs to turn
/// CAP Update and Cancel messages into relations between alert entries (VigilLog `CAPRelationIndex`).
public struct AlertCAPFacts: Hashable, Sendable {
    /// The message's own key.
    public let key: CAPMessageKey
    /// `msgType` as written: Alert, Update, Cancel, Ack, Error.
    public let msgType: String
    /// The keys named in `<references>`, in order (malformed tokens skipped).
    public let references: [CAPMessageKey]
    /// `sent` in milliseconds since the epoch, when it is a CAP dateTime.
    public let sentMilliseconds: Int64?

    /// The facts of an alert body holding a CAP message (its `cap` field); nil for other bodies.
    public init?(alertBody fields: FieldMap) {
        guard case .map(let cap)? = fields["cap"], let sender = cap.text("sender"), let identifier = cap.text("identifier"),
              let sent = cap.text("sent") else { return nil }
        key = CAPMessageKey(sender: sender, identifier: identifier, sent: sent)
        msgType = cap.text("msg_type") ?? "Alert"
        sentMilliseconds = KindTime.parse(sent.trimmingCharacters(in: .whitespacesAndNewlines))
        references = (cap.text("references") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .compactMap { token in
                let parts = token.split(separator: ",", omittingEmptySubsequences: false)
                guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
                return CAPMessageKey(sender: String(parts[0]), identifier: String(parts[1]), sent: String(parts[2]))
            }
    }
}

/// A CAP message's identity: sender, identifier and sent (`<references>` names messages by these).
/// `sent` is compared as an instant (`2024-01-01T10:00:00+01:00` and `2024-01-01T09:00:00-00:00` are the
/// same message); text that is not a CAP dateTime is compared as written.
public struct CAPMessageKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `<sender>`, trimmed.
    public let sender: String
    /// `<identifier>`, trimmed.
    public let identifier: String
    /// The instant in milliseconds as decimal text, or the text as written when it is not a dateTime.
    public let sent: String

    /// A key from the three texts.
    public init(sender: String, identifier: String, sent: String) {
        self.sender = sender.trimmingCharacters(in: .whitespacesAndNewlines)
        self.identifier = identifier.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = sent.trimmingCharacters(in: .whitespacesAndNewlines)
        self.sent = KindTime.parse(text).map { "\($0)" } ?? text
    }

    public static func < (a: CAPMessageKey, b: CAPMessageKey) -> Bool {
        (a.sender, a.identifier, a.sent) < (b.sender, b.identifier, b.sent)
    }

    public var description: String { "\(sender),\(identifier),\(sent)" }
}

/// The limits of an alert body's CAP fields (docs/kinds.md) that a CAP import does not meet by
/// construction, so that VigilCAP checks them before it leaves the CAP fields out of a validation
/// (`CAPImportedAlert.validate()`). The alert schema takes them from here.
public enum AlertCAPLimits {
    /// XML signatures kept in `cap.extensions`.
    public static let maxExtensions = 64
    /// Characters (grapheme clusters) in one of them.
    public static let maxExtensionCharacters = 32 * 1024
}
