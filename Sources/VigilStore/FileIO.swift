import Glibc

/// The write-side system calls of the store, behind a protocol so that tests can inject failures
/// (a full disk, a failing fdatasync) and then let calls succeed again.
///
/// Every write, fdatasync and truncate of segment data — including the creation of new segments and
/// the files `repair` writes — goes through this protocol; reads and directory operations do not.
protocol FileIO: Sendable {
    /// Writes all of `bytes` at `offset`. On failure some prefix may have been written.
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(SystemCallError)
    /// Makes the file's data (and the metadata needed to read it) durable: fdatasync(2).
    func sync(_ fd: Int32) throws(SystemCallError)
    /// Sets the file's length: ftruncate(2).
    func truncate(_ fd: Int32, to length: Int64) throws(SystemCallError)
}

extension FileIO {
    /// Writes all of `bytes` at `offset`.
    func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int64) throws(SystemCallError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(SystemCallError) in try write(fd, raw, at: offset) }
        }
        try result.get()
    }
}

/// The real system calls.
struct SystemFileIO: FileIO {
    func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int64) throws(SystemCallError) {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "pwrite", errorNumber: errno)
            }
            if n == 0 { throw SystemCallError(call: "pwrite", errorNumber: EIO) }
            done += n
        }
    }

    func sync(_ fd: Int32) throws(SystemCallError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw SystemCallError(call: "fdatasync", errorNumber: errno) }
        }
    }

    func truncate(_ fd: Int32, to length: Int64) throws(SystemCallError) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw SystemCallError(call: "ftruncate", errorNumber: errno) }
        }
    }
}

/// Plain file-system helpers (no fault injection needed): open, read, list, rename, directory fsync.
enum FileSystem {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemCallError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw SystemCallError(call: "open", errorNumber: errno) }
        }
    }

    /// Reads up to `count` bytes at `offset` into `buffer`; fewer only at the end of the file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int64) throws(SystemCallError) -> Int {
        var done = 0
        while done < count {
            let n = pread(fd, buffer + done, count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(call: "pread", errorNumber: errno)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, count: Int, at offset: Int64) throws(SystemCallError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let result = buffer.withUnsafeMutableBytes { raw in
            Result { () throws(SystemCallError) in try read(fd, into: raw.baseAddress!, count: count, at: offset) }
        }
        buffer.removeLast(count - (try result.get()))
        return buffer
    }

    static func size(_ fd: Int32) throws(SystemCallError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw SystemCallError(call: "fstat", errorNumber: errno) }
        return Int64(st.st_size)
    }

    /// The names in a directory (not `.` and `..`).
    static func list(_ directory: String) throws(SystemCallError) -> [String] {
        guard let dir = opendir(directory) else { throw SystemCallError(call: "opendir", errorNumber: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// fsync(2) on the directory itself, so that created, renamed and removed names are durable.
    static func syncDirectory(_ directory: String) throws(SystemCallError) {
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw SystemCallError(call: "fsync", errorNumber: errno) }
        }
    }

    static func rename(_ from: String, _ to: String) throws(SystemCallError) {
        guard Glibc.rename(from, to) == 0 else { throw SystemCallError(call: "rename", errorNumber: errno) }
    }

    static func unlink(_ path: String) throws(SystemCallError) {
        guard Glibc.unlink(path) == 0 || errno == ENOENT else { throw SystemCallError(call: "unlink", errorNumber: errno) }
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates `path` and any missing parents (mode 0700: the store holds restricted entries).
    static func makeDirectories(_ path: String) throws(SystemCallError) {
        if isDirectory(path) { return }
        let parent = parentDirectory(of: path)
        if parent != path && !parent.isEmpty { try makeDirectories(parent) }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw SystemCallError(call: "mkdir", errorNumber: errno) }
        if !parent.isEmpty { try? syncDirectory(parent) }
    }

    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
