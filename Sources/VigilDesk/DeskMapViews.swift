import VigilAPI
import VigilModel

/// The map page's view of the entries that carry geometry: alerts (`areas[].polygons`, `areas[].circles`)
/// and situation reports and incidents (`location.lat`/`location.lon`), in decimal degrees. Pure.
public enum DeskMapViews {
    /// The kinds with geometry, as the map's kind filter offers them.
    public static let kinds = ["alert", "sitrep", "incident"]
    /// The most entries one map request draws (newest first).
    public static let maxEntries = 500

    /// The local API request for a map query (kind, since, until; every other feed filter too).
    public static func entriesRequest(_ query: FeedQuery) throws(DeskRefusal) -> EntriesRequest {
        if let kind = query.kind, !kinds.contains(kind) {
            throw DeskRefusal(.badRequest, field: "kind", "the map shows \(kinds.joined(separator: ", ")); \(kind) has no geometry")
        }
        var request = try DeskViews.entriesRequest(query)
        request.kinds = query.kind.map { [$0] } ?? kinds
        request.limit = maxEntries
        return request
    }

    /// The entries' shapes; entries without any (a sitrep with only a description) are left out.
    public static func page(_ entries: [EntrySummary]) -> DeskMapPage {
        DeskMapPage(features: entries.compactMap(feature))
    }

    /// One entry's shapes, or nil when it has none.
    public static func feature(_ entry: EntrySummary) -> DeskMapFeature? {
        var points: [DeskMapPoint] = []
        var circles: [DeskMapCircle] = []
        var polygons: [[DeskMapPoint]] = []
        switch entry.kind {
        case "alert":
            for area in items(entry.fields["areas"]) {
                for polygon in items(area["polygons"]) {
                    let ring = items(polygon).compactMap { pair -> DeskMapPoint? in
                        let coordinates = items(pair)
                        guard coordinates.count == 2, let lat = degrees(coordinates[0]), let lon = degrees(coordinates[1]) else { return nil }
                        return DeskMapPoint(lat: lat, lon: lon)
                    }
                    if ring.count >= 3 { polygons.append(ring) }
                }
                for circle in items(area["circles"]) {
                    guard let lat = degrees(circle["lat"]), let lon = degrees(circle["lon"]), let radius = degrees(circle["radius_m"]) else { continue }
                    circles.append(DeskMapCircle(lat: lat, lon: lon, radiusMetres: radius))
                }
            }
        case "sitrep", "incident":
            if let location = entry.fields["location"], let lat = degrees(location["lat"]), let lon = degrees(location["lon"]) {
                points.append(DeskMapPoint(lat: lat, lon: lon))
            }
        default:
            return nil
        }
        guard !points.isEmpty || !circles.isEmpty || !polygons.isEmpty else { return nil }
        return DeskMapFeature(entry: DeskViews.summary(entry), points: points, circles: circles, polygons: polygons)
    }

    private static func items(_ value: JSONValue?) -> [JSONValue] {
        if case .array(let items) = value { return items }
        return []
    }

    /// A number in any of the forms a body's human JSON holds: micro-degrees as written by the node,
    /// or a number read from JSON.
    private static func degrees(_ value: JSONValue?) -> Double? {
        switch value {
        case .degrees(let micro): Double(micro) / 1_000_000
        case .integer(let n): Double(n)
        case .number(let d) where d.isFinite: d
        default: nil
        }
    }
}

/// `GET /api/map`: the shapes of the matching entries, newest first.
public struct DeskMapPage: Codable, Equatable, Sendable {
    /// One per entry with geometry.
    public var features: [DeskMapFeature]
}

/// An entry on the map: its feed line and its shapes.
public struct DeskMapFeature: Codable, Equatable, Sendable {
    /// The entry as the feed shows it (id, kind, TLP, title, time).
    public var entry: DeskEntrySummary
    /// Points (a sitrep's or incident's location).
    public var points: [DeskMapPoint]
    /// Circles (an alert area's CAP circles; radius 0 is a point).
    public var circles: [DeskMapCircle]
    /// Polygons (an alert area's CAP polygons), first point = last.
    public var polygons: [[DeskMapPoint]]
}

/// A point in decimal degrees (WGS 84).
public struct DeskMapPoint: Codable, Equatable, Sendable {
    /// Latitude.
    public var lat: Double
    /// Longitude.
    public var lon: Double

    /// A point.
    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }
}

/// A circle: centre in decimal degrees, radius in metres.
public struct DeskMapCircle: Codable, Equatable, Sendable {
    /// Latitude of the centre.
    public var lat: Double
    /// Longitude of the centre.
    public var lon: Double
    /// Radius in metres.
    public var radiusMetres: Double

    /// A circle.
    public init(lat: Double, lon: Double, radiusMetres: Double) {
        self.lat = lat
        self.lon = lon
        self.radiusMetres = radiusMetres
    }
}
