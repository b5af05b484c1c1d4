internal import COpenSSL

/// The OpenSSL library this process runs with (the shared library loaded at run time, which may be
/// newer than the headers Vigil was built against). Shown by `vigil version`.
public enum OpenSSLVersion {
    /// E.g. "OpenSSL 3.0.17 1 Jul 2025".
    public static var runtime: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }
}
