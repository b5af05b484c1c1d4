/// The desk's front end: plain HTML, CSS and JavaScript modules embedded in the binary (SwiftPM
/// `.embedInCode`), served under `/static/NAME`. Nothing is loaded from another host.
public enum DeskFiles {
    /// One file and its media type.
    public struct File: Sendable {
        /// The bytes.
        public let bytes: [UInt8]
        /// The Content-Type.
        public let contentType: String
    }

    static let html = "text/html; charset=utf-8"
    static let js = "text/javascript; charset=utf-8"
    static let css = "text/css; charset=utf-8"
    static let json = "application/json"

    /// Every file by its served name.
    public static let files: [String: File] = [
        "login.html": File(bytes: PackageResources.login_html, contentType: html),
        "desk.html": File(bytes: PackageResources.desk_html, contentType: html),
        "desk.css": File(bytes: PackageResources.desk_css, contentType: css),
        "dom.js": File(bytes: PackageResources.dom_js, contentType: js),
        "i18n.js": File(bytes: PackageResources.i18n_js, contentType: js),
        "api.js": File(bytes: PackageResources.api_js, contentType: js),
        "login.js": File(bytes: PackageResources.login_js, contentType: js),
        "desk.js": File(bytes: PackageResources.desk_js, contentType: js),
        "feed.js": File(bytes: PackageResources.feed_js, contentType: js),
        "entry.js": File(bytes: PackageResources.entry_js, contentType: js),
        "post.js": File(bytes: PackageResources.post_js, contentType: js),
        "commtest.js": File(bytes: PackageResources.commtest_js, contentType: js),
        "federation.js": File(bytes: PackageResources.federation_js, contentType: js),
        "followup.js": File(bytes: PackageResources.followup_js, contentType: js),
        "i18n-federation.js": File(bytes: PackageResources.i18n_federation_js, contentType: js),
        "incidents.js": File(bytes: PackageResources.incidents_js, contentType: js),
        "i18n-incidents.js": File(bytes: PackageResources.i18n_incidents_js, contentType: js),
        "desk-map.css": File(bytes: PackageResources.desk_map_css, contentType: css),
        "i18n-map.js": File(bytes: PackageResources.i18n_map_js, contentType: js),
        "labels.js": File(bytes: PackageResources.labels_js, contentType: js),
        "map.js": File(bytes: PackageResources.map_js, contentType: js),
        "cap.js": File(bytes: PackageResources.cap_js, contentType: js),
        "basemap.json": File(bytes: PackageResources.basemap_json, contentType: json),
    ]
}
