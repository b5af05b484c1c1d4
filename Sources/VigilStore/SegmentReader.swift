import Glibc

/// Reads a segment file through a sliding window of a few MiB, so that scanning a 64 MiB segment (or a
/// much larger damaged one) never holds more than one window in memory.
final class SegmentReader {
    let fd: Int32
    let path: String
    let fileSize: Int64
    private let capacity: Int
    private let buffer: UnsafeMutableRawPointer
    private var windowStart: Int64 = 0
    private var windowCount = 0

    /// Opens `path` read-only. `windowSize` is raised to hold at least two of the largest records.
    init(path: String, windowSize: Int = 8 << 20) throws(SystemCallError) {
        self.path = path
        fd = try FileSystem.open(path, O_RDONLY)
        do {
            fileSize = try FileSystem.size(fd)
        } catch {
            close(fd)
            throw error
        }
        capacity = max(windowSize, 2 * StoreFormat.maxRecordSize)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit {
        buffer.deallocate()
        close(fd)
    }

    /// The bytes `offset ..< offset + count`, clipped to the end of the file; valid until the next call.
    /// `count` must not exceed half the window.
    func bytes(at offset: Int64, count: Int) throws(SystemCallError) -> UnsafeRawBufferPointer {
        let wanted = Int(min(Int64(count), max(0, fileSize - offset)))
        if offset >= windowStart, offset + Int64(wanted) <= windowStart + Int64(windowCount) {
            return UnsafeRawBufferPointer(start: buffer + Int(offset - windowStart), count: wanted)
        }
        windowStart = offset
        windowCount = 0
        let toRead = Int(min(Int64(capacity), max(0, fileSize - offset)))
        windowCount = try FileSystem.read(fd, into: buffer, count: toRead, at: offset)
        return UnsafeRawBufferPointer(start: buffer, count: min(wanted, windowCount))
    }
}
