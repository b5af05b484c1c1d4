import Glibc

/// The few system calls on the start-up index file (`NodeIndexFormat`): read it whole, cut it back,
/// append chunks. Errors carry what failed, on which file.
enum NodeIndexFile {
    /// The file's name in the store directory.
    static let name = "node-index"

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ call: String, _ path: String) { description = "\(call) \(path): \(String(cString: strerror(errno)))" }
    }

    /// The whole file, or nil when there is none.
    static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure("fstat", path) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, $0.count - done, off_t(done)) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw Failure("pread", path) }
            if n == 0 { break }
            done += n
        }
        return Array(bytes.prefix(done))
    }

    /// Opens the file for appending after cutting it to `keep` bytes; with `keep` 0 it is written anew
    /// with just the header.
    static func openForAppending(_ path: String, keep: Int) throws(Failure) -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure("open", path) }
        guard ftruncate(fd, off_t(keep)) == 0 else { close(fd); throw Failure("ftruncate", path) }
        if keep == 0 {
            do { try write(fd, NodeIndexFormat.header(), at: 0, path: path) } catch { close(fd); throw error }
        }
        return fd
    }

    /// Writes `bytes` at `offset` whole.
    static func write(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(Failure) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress! + done, $0.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure("pwrite", path) }
            done += n
        }
    }

    /// fdatasync.
    static func sync(_ fd: Int32, path: String) throws(Failure) {
        guard fdatasync(fd) == 0 else { throw Failure("fdatasync", path) }
    }

    /// The file's size.
    static func size(_ fd: Int32, path: String) throws(Failure) -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw Failure("fstat", path) }
        return Int(info.st_size)
    }
}
