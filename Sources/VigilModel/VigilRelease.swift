/// The Vigil release this code is: shown by `vigil version`, carried to peers after the HELLO
/// (docs/sync-protocol.md) and shown by `vigil status` when a peer runs another one.
public enum VigilRelease {
    /// The release, `MAJOR.MINOR.PATCH`. Raise it when a release is cut; the package version is this.
    public static let version = "0.3.0"
}
