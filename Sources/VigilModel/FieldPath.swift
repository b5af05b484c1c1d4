/// Where a value is in a body, for error messages (`body.areas[0].polygons`, `areas[0].description`).
///
/// Decoders and validators are written once, generic over the path: they run first with
/// `UnnamedFieldPath`, which builds nothing (a large body has thousands of values, and a path string for
/// each cost more than the checks), and only when they fail do they run again, the same code, with
/// `NamedFieldPath`, to name the field in the error.
protocol FieldPath {
    /// The path of field `name` of the map here.
    func field(_ name: String) -> Self
    /// The path of item `index` of the list here.
    func item(_ index: Int) -> Self
    /// The path as text ("" for `UnnamedFieldPath`).
    var text: String { get }
}

/// A path that is built as it goes.
struct NamedFieldPath: FieldPath {
    let text: String
    init(_ text: String) { self.text = text }
    func field(_ name: String) -> NamedFieldPath { NamedFieldPath(joinPath(text, name)) }
    func item(_ index: Int) -> NamedFieldPath { NamedFieldPath("\(text)[\(index)]") }
}

/// A path that is not built: for the first run, whose errors are thrown away.
struct UnnamedFieldPath: FieldPath {
    @inline(__always) func field(_ name: String) -> UnnamedFieldPath { self }
    @inline(__always) func item(_ index: Int) -> UnnamedFieldPath { self }
    var text: String { "" }
}
