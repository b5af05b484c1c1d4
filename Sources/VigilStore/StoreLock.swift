import Glibc

/// The exclusive, non-blocking `flock(2)` on `LOCK` in the store directory that keeps two processes
/// (or two opens in one process: flock locks belong to the open file description) off one store.
/// The holder's pid is written into the file so that the error can name it. The lock goes away with
/// the descriptor, so a killed process never leaves a stale lock behind. Every descriptor the store
/// opens is close-on-exec, so child processes do not inherit the lock.
final class StoreLock: @unchecked Sendable {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    /// Unlocks explicitly before closing: a process forked by another thread holds a copy of the
    /// descriptor until it execs, and a plain close would leave the lock held by that copy for a moment.
    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    static func acquire(directory: String) throws(StoreError) -> StoreLock {
        let path = FileSystem.join(directory, StoreFormat.lockFileName)
        let fd: Int32
        do {
            fd = try FileSystem.open(path, O_RDWR | O_CREAT)
        } catch {
            throw error.storeError(path: path, doing: "creating the store lock file")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            let holder = readHolder(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw StoreError(.locked, "the store at \(directory) is already open in another process\(holder.map { " (pid \($0), according to \(path))" } ?? "") or elsewhere in this one; only one process may use a store at a time. Stop that process, or give this one its own store directory.", path: directory)
            }
            throw StoreError.system("flock", code, path: path, doing: "locking the store")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return StoreLock(fd: fd)
    }

    /// Whether someone holds the lock of `directory` right now (a shared probe that is released at
    /// once). Does not create the lock file.
    static func isHeld(directory: String) -> Bool {
        let path = FileSystem.join(directory, StoreFormat.lockFileName)
        guard let fd = try? FileSystem.open(path, O_RDONLY) else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[..<n].prefix { $0 != 0x0a }, as: UTF8.self)
        return Int(text) != nil ? text : nil
    }
}
