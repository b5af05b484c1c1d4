/// A CAP 1.2 alert message (OASIS Common Alerting Protocol, `urn:oasis:names:tc:emergency:cap:1.2`).
///
/// A faithful model of the `<alert>` element: every element of the CAP 1.2 schema has a property, in
/// schema order. Optional elements that were present but empty (`<note />`) are `""`, absent ones `nil`.
/// Elements of the XML signature namespace (`ds:Signature`, which the schema allows after the last
/// `<info>`) are kept opaque in `extensions`, as self-contained XML text; Vigil does not verify them.
public struct CAPAlert: Hashable, Sendable {
    /// `<identifier>`: the sender's unique id of this message.
    public var identifier: String
    /// `<sender>`: who sent it (an e-mail-like or URI-like id).
    public var sender: String
    /// `<sent>`: when it was sent.
    public var sent: CAPDateTime
    /// `<status>`.
    public var status: CAPStatus
    /// `<msgType>`.
    public var msgType: CAPMsgType
    /// `<source>`: the operator or device that originated it.
    public var source: String?
    /// `<scope>`.
    public var scope: CAPScope
    /// `<restriction>`: the rule for a Restricted message.
    public var restriction: String?
    /// `<addresses>`: the recipients of a Private message (space-separated, quoted when they contain spaces).
    public var addresses: String?
    /// `<code>*`: special handling codes.
    public var codes: [String]
    /// `<note>`.
    public var note: String?
    /// `<references>`: earlier messages this one refers to, as `sender,identifier,sent` triples separated
    /// by whitespace. `parsedReferences` splits them.
    public var references: String?
    /// `<incidents>`: incident ids, space-separated.
    public var incidents: String?
    /// `<info>*`.
    public var infos: [CAPInfo]
    /// The elements of other namespaces at the end of `<alert>` (XML signatures), each as self-contained
    /// XML text (with the namespace declarations in scope), at most `CAPParser.maxExtensionBytes` each.
    public var extensions: [String]

    /// An alert; every optional element absent unless given.
    public init(identifier: String, sender: String, sent: CAPDateTime, status: CAPStatus, msgType: CAPMsgType,
                source: String? = nil, scope: CAPScope = .public, restriction: String? = nil, addresses: String? = nil,
                codes: [String] = [], note: String? = nil, references: String? = nil, incidents: String? = nil,
                infos: [CAPInfo] = [], extensions: [String] = []) {
        self.extensions = extensions
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.status = status
        self.msgType = msgType
        self.source = source
        self.scope = scope
        self.restriction = restriction
        self.addresses = addresses
        self.codes = codes
        self.note = note
        self.references = references
        self.incidents = incidents
        self.infos = infos
    }

    /// The `<references>` triples that have the form `sender,identifier,sent`; malformed tokens are skipped.
    public var parsedReferences: [CAPReference] {
        guard let references else { return [] }
        return references.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .compactMap { CAPReference(String($0)) }
    }
}

/// One earlier message named in `<references>`: `sender,identifier,sent`.
public struct CAPReference: Hashable, Sendable {
    /// The earlier message's sender.
    public var sender: String
    /// Its identifier.
    public var identifier: String
    /// Its `sent` time, as written.
    public var sent: String

    /// A reference from its parts.
    public init(sender: String, identifier: String, sent: String) {
        self.sender = sender
        self.identifier = identifier
        self.sent = sent
    }

    /// Parses `sender,identifier,sent`; nil unless there are exactly three non-empty parts.
    public init?(_ token: String) {
        let parts = token.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        self.init(sender: String(parts[0]), identifier: String(parts[1]), sent: String(parts[2]))
    }

    /// The `sender,identifier,sent` form.
    public var text: String { "\(sender),\(identifier),\(sent)" }
}

/// A CAP `<info>` block: the alert in one language for one event.
public struct CAPInfo: Hashable, Sendable {
    /// `<language>` (RFC 3066 tag; CAP's default when absent is `en-US`).
    public var language: String?
    /// `<category>+`.
    public var categories: [CAPCategory]
    /// `<event>`: the type of event, as text.
    public var event: String
    /// `<responseType>*`.
    public var responseTypes: [CAPResponseType]
    /// `<urgency>`.
    public var urgency: CAPUrgency
    /// `<severity>`.
    public var severity: CAPSeverity
    /// `<certainty>`.
    public var certainty: CAPCertainty
    /// `<audience>`.
    public var audience: String?
    /// `<eventCode>*`.
    public var eventCodes: [CAPValuePair]
    /// `<effective>`.
    public var effective: CAPDateTime?
    /// `<onset>`.
    public var onset: CAPDateTime?
    /// `<expires>`.
    public var expires: CAPDateTime?
    /// `<senderName>`.
    public var senderName: String?
    /// `<headline>`.
    public var headline: String?
    /// `<description>`.
    public var description: String?
    /// `<instruction>`.
    public var instruction: String?
    /// `<web>`.
    public var web: String?
    /// `<contact>`.
    public var contact: String?
    /// `<parameter>*`.
    public var parameters: [CAPValuePair]
    /// `<resource>*`.
    public var resources: [CAPResource]
    /// `<area>*`.
    public var areas: [CAPArea]

    /// An info block; every optional element absent unless given.
    public init(language: String? = nil, categories: [CAPCategory], event: String, responseTypes: [CAPResponseType] = [],
                urgency: CAPUrgency, severity: CAPSeverity, certainty: CAPCertainty, audience: String? = nil,
                eventCodes: [CAPValuePair] = [], effective: CAPDateTime? = nil, onset: CAPDateTime? = nil,
                expires: CAPDateTime? = nil, senderName: String? = nil, headline: String? = nil,
                description: String? = nil, instruction: String? = nil, web: String? = nil, contact: String? = nil,
                parameters: [CAPValuePair] = [], resources: [CAPResource] = [], areas: [CAPArea] = []) {
        self.language = language
        self.categories = categories
        self.event = event
        self.responseTypes = responseTypes
        self.urgency = urgency
        self.severity = severity
        self.certainty = certainty
        self.audience = audience
        self.eventCodes = eventCodes
        self.effective = effective
        self.onset = onset
        self.expires = expires
        self.senderName = senderName
        self.headline = headline
        self.description = description
        self.instruction = instruction
        self.web = web
        self.contact = contact
        self.parameters = parameters
        self.resources = resources
        self.areas = areas
    }
}

/// A `<valueName>`/`<value>` pair (eventCode, parameter, geocode).
public struct CAPValuePair: Hashable, Sendable {
    /// `<valueName>`.
    public var valueName: String
    /// `<value>`.
    public var value: String

    /// A pair.
    public init(valueName: String, value: String) {
        self.valueName = valueName
        self.value = value
    }
}

/// A `<resource>`: a file that goes with the alert.
public struct CAPResource: Hashable, Sendable {
    /// `<resourceDesc>`.
    public var resourceDesc: String
    /// `<mimeType>`.
    public var mimeType: String
    /// `<size>`: bytes.
    public var size: Int64?
    /// `<uri>`.
    public var uri: String?
    /// `<derefUri>`: the content, base64.
    public var derefUri: String?
    /// `<digest>`: SHA-1 of the content, hex.
    public var digest: String?

    /// A resource.
    public init(resourceDesc: String, mimeType: String, size: Int64? = nil, uri: String? = nil,
                derefUri: String? = nil, digest: String? = nil) {
        self.resourceDesc = resourceDesc
        self.mimeType = mimeType
        self.size = size
        self.uri = uri
        self.derefUri = derefUri
        self.digest = digest
    }
}

/// An `<area>`: where the alert applies.
public struct CAPArea: Hashable, Sendable {
    /// `<areaDesc>`.
    public var areaDesc: String
    /// `<polygon>*`.
    public var polygons: [CAPPolygon]
    /// `<circle>*`.
    public var circles: [CAPCircle]
    /// `<geocode>*`.
    public var geocodes: [CAPValuePair]
    /// `<altitude>`: feet above sea level, an `xs:decimal` as written.
    public var altitude: String?
    /// `<ceiling>`: feet above sea level, an `xs:decimal` as written.
    public var ceiling: String?

    /// An area.
    public init(areaDesc: String, polygons: [CAPPolygon] = [], circles: [CAPCircle] = [], geocodes: [CAPValuePair] = [],
                altitude: String? = nil, ceiling: String? = nil) {
        self.areaDesc = areaDesc
        self.polygons = polygons
        self.circles = circles
        self.geocodes = geocodes
        self.altitude = altitude
        self.ceiling = ceiling
    }
}

/// A WGS 84 point in micro-degrees (the CAP decimal degrees exactly to six decimals).
public struct CAPPoint: Hashable, Sendable {
    /// Latitude, −90 000 000 … 90 000 000.
    public var latitude: Int64
    /// Longitude, −180 000 000 … 180 000 000.
    public var longitude: Int64

    /// A point in micro-degrees.
    public init(latitude: Int64, longitude: Int64) {
        self.latitude = latitude
        self.longitude = longitude
    }

    /// `lat,lon` in decimal degrees.
    public var text: String { "\(CAPDecimal.format(micro: latitude)),\(CAPDecimal.format(micro: longitude))" }
}

/// A `<polygon>`: at least four points, the first equal to the last.
public struct CAPPolygon: Hashable, Sendable {
    /// The points, closing point included.
    public var points: [CAPPoint]
    /// The text as written in the document it was read from (kept so that export loses no decimals).
    public var written: String?

    /// A polygon.
    public init(points: [CAPPoint], written: String? = nil) {
        self.points = points
        self.written = written
    }

    /// The CAP text: as written when read from a document, else `lat,lon lat,lon …`.
    public var text: String { written ?? points.map(\.text).joined(separator: " ") }

    /// Polygons are equal when their points are (however they were written).
    public static func == (a: CAPPolygon, b: CAPPolygon) -> Bool { a.points == b.points }
    public func hash(into hasher: inout Hasher) { hasher.combine(points) }
}

/// A `<circle>`: a centre and a radius.
public struct CAPCircle: Hashable, Sendable {
    /// The centre.
    public var center: CAPPoint
    /// The radius in millionths of a kilometre (millimetres): CAP's kilometres exactly to six decimals.
    public var radiusMillimetres: Int64
    /// The text as written in the document it was read from.
    public var written: String?

    /// A circle.
    public init(center: CAPPoint, radiusMillimetres: Int64, written: String? = nil) {
        self.center = center
        self.radiusMillimetres = radiusMillimetres
        self.written = written
    }

    /// The CAP text: as written when read from a document, else `lat,lon radius-km`.
    public var text: String { written ?? "\(center.text) \(CAPDecimal.format(micro: radiusMillimetres))" }

    /// Circles are equal when centre and radius are (however they were written).
    public static func == (a: CAPCircle, b: CAPCircle) -> Bool { a.center == b.center && a.radiusMillimetres == b.radiusMillimetres }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(center)
        hasher.combine(radiusMillimetres)
    }
}

/// `<status>`.
public enum CAPStatus: String, CaseIterable, Hashable, Sendable {
    case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft"
}

/// `<msgType>`.
public enum CAPMsgType: String, CaseIterable, Hashable, Sendable {
    case alert = "Alert", update = "Update", cancel = "Cancel", ack = "Ack", error = "Error"
}

/// `<scope>`.
public enum CAPScope: String, CaseIterable, Hashable, Sendable {
    case `public` = "Public", restricted = "Restricted", `private` = "Private"
}

/// `<category>`.
public enum CAPCategory: String, CaseIterable, Hashable, Sendable {
    case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
    case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE", other = "Other"
}

/// `<responseType>`.
public enum CAPResponseType: String, CaseIterable, Hashable, Sendable {
    case shelter = "Shelter", evacuate = "Evacuate", prepare = "Prepare", execute = "Execute", avoid = "Avoid"
    case monitor = "Monitor", assess = "Assess", allClear = "AllClear", none = "None"
}

/// `<urgency>`.
public enum CAPUrgency: String, CaseIterable, Hashable, Sendable {
    case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
}

/// `<severity>`.
public enum CAPSeverity: String, CaseIterable, Hashable, Sendable {
    case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"
}

/// `<certainty>`.
public enum CAPCertainty: String, CaseIterable, Hashable, Sendable {
    case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
}

/// A CAP enumeration (`<status>`, `<category>`, …) whose values the parser finds by their bytes
/// (`CAPCodeTable`) instead of making a text and comparing it with each value's.
protocol CAPCode: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// The values by their bytes.
    static var codes: CAPCodeTable<Self> { get }
}

/// The values of a CAP enumeration, each as its length and its bytes (at most 16) in two words: one
/// comparison of three numbers per value, no text made.
final class CAPCodeTable<E: CAPCode>: Sendable {
    private let keys: [(length: Int, low: UInt64, high: UInt64)]
    private let values: [E]

    init() {
        var keys: [(length: Int, low: UInt64, high: UInt64)] = []
        var values: [E] = []
        for value in E.allCases {
            let bytes = Array(value.rawValue.utf8)
            precondition(bytes.count <= 16, "CAP values are at most 16 bytes")
            let (low, high) = bytes.withUnsafeBufferPointer { CAPName.Table.words($0, 0, $0.count) }
            keys.append((bytes.count, low, high))
            values.append(value)
        }
        self.keys = keys
        self.values = values
    }

    /// The value whose text is exactly `bytes`, nil for none.
    func value(of bytes: UnsafeBufferPointer<UInt8>) -> E? {
        let n = bytes.count
        guard n >= 1, n <= 16 else { return nil }
        let (low, high) = CAPName.Table.words(bytes, 0, n)
        for k in keys.indices where keys[k].length == n && keys[k].low == low && keys[k].high == high { return values[k] }
        return nil
    }
}

extension CAPStatus: CAPCode { static let codes = CAPCodeTable<CAPStatus>() }
extension CAPMsgType: CAPCode { static let codes = CAPCodeTable<CAPMsgType>() }
extension CAPScope: CAPCode { static let codes = CAPCodeTable<CAPScope>() }
extension CAPCategory: CAPCode { static let codes = CAPCodeTable<CAPCategory>() }
extension CAPResponseType: CAPCode { static let codes = CAPCodeTable<CAPResponseType>() }
extension CAPUrgency: CAPCode { static let codes = CAPCodeTable<CAPUrgency>() }
extension CAPSeverity: CAPCode { static let codes = CAPCodeTable<CAPSeverity>() }
extension CAPCertainty: CAPCode { static let codes = CAPCodeTable<CAPCertainty>() }
