import Glibc

/// A file as the kernel knows it (device and inode), to recognise the socket file a listener created.
struct FileIdentity: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// The file at `path` itself (not a symlink's target), if there is one.
    init?(path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
    }
}

/// Listening Unix domain stream sockets: the socket file made with its permission bits from the
/// start, a stale file replaced, a live server left alone, and the file removed only if it is ours.
enum UnixSocket {
    /// A non-blocking, close-on-exec listening socket at `path` whose file has exactly `mode`
    /// permission bits, and the file's identity.
    ///
    /// An existing socket file is probed: if a server answers, this throws; if nobody does (a node
    /// that did not stop cleanly), the file is removed. Anything else at `path` (a regular file, a
    /// directory) is left alone and this throws. The mode is set on the socket before `bind` (Linux
    /// creates the file with the socket's mode minus the umask, so it is never more open than asked
    /// for), then exactly with `chmod` after it — without touching the process-wide umask.
    static func listen(path: String, mode: mode_t, backlog: Int32) throws(NetworkError) -> (fd: Int32, file: FileIdentity) {
        var address = try self.address(path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw NetworkError(.bind, "cannot listen on \(path): a file that is not a socket is in the way; move it away or choose another path")
            }
            switch try probe(&address, path: path) {
            case .live:
                throw NetworkError(.bind, "cannot listen on \(path): another server is already listening there; stop it first, or choose another path")
            case .stale:
                guard unlink(path) == 0 || errno == ENOENT else {
                    throw NetworkError(.bind, "cannot remove the stale socket file \(path): \(errnoDescription()); remove it by hand")
                }
            }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetworkError(.system, "cannot create a socket to listen on \(path): \(errnoDescription())") }
        func fail(_ code: NetworkError.Code, _ what: String, removeFile: Bool) -> NetworkError {
            let reason = errnoDescription()
            close(fd)
            if removeFile { unlink(path) }
            return NetworkError(code, "cannot listen on \(path): \(what)\(reason)")
        }
        guard fchmod(fd, mode) == 0 else { throw fail(.system, "cannot set the socket's mode: ", removeFile: false) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let hint = errno == EADDRINUSE ? "; another server took the path at the same moment" : ""
            let error = fail(.bind, "", removeFile: false)
            throw NetworkError(.bind, error.message + hint)
        }
        guard chmod(path, mode) == 0 else { throw fail(.system, "cannot set the mode of the socket file: ", removeFile: true) }
        guard Glibc.listen(fd, backlog) == 0 else { throw fail(.bind, "", removeFile: true) }
        guard let file = FileIdentity(path: path) else { throw fail(.system, "the socket file vanished: ", removeFile: false) }
        return (fd, file)
    }

    /// Whether a server answers at an existing socket file.
    private enum Probe { case live, stale }

    private static func probe(_ address: inout sockaddr_un, path: String) throws(NetworkError) -> Probe {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw NetworkError(.system, "cannot create a socket to probe \(path): \(errnoDescription())") }
        defer { close(fd) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if result == 0 { return .live }
        let code = errno
        switch code {
        case EAGAIN, EINPROGRESS: return .live   // a full backlog: alive, and busy
        case ECONNREFUSED, ENOENT: return .stale
        default:
            throw NetworkError(.bind, "cannot tell whether a server is listening on \(path): \(errnoDescription(code)); check the path's permissions")
        }
    }

    /// The kernel's address for `path`, or a clear error if it cannot be one.
    static func address(_ path: String) throws(NetworkError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, !bytes.contains(0) else {
            throw NetworkError(.address, "\"\(path)\" cannot be a socket path: give a non-empty file path without NUL bytes")
        }
        guard bytes.count < capacity else {
            throw NetworkError(.address, "the socket path \(path) is \(bytes.count) bytes, too long for a Unix socket (at most \(capacity - 1)); use a shorter directory")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }

    /// Removes the socket file at `path` if it is still `file` (not one another server made since).
    static func removeIfOurs(path: String, file: FileIdentity) {
        guard FileIdentity(path: path) == file else { return }
        unlink(path)
    }

    /// The client process of an accepted Unix socket as the kernel vouches for it: `pid 1234, uid 1000`.
    static func peerDescription(_ fd: Int32) -> String {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } — not imported without _GNU_SOURCE.
        var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
        let soPeerCred: Int32 = 17   // SO_PEERCRED on Linux
        guard getsockopt(fd, SOL_SOCKET, soPeerCred, &credentials, &length) == 0 else { return "a local client" }
        return "pid \(credentials.pid), uid \(credentials.uid)"
    }
}
