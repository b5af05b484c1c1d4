import Glibc
import VigilModel

/// An open segment file descriptor, closed when the last user lets go of it. Readers take a
/// reference under the store's lock and `pread` outside it, so closing the store (or evicting the
/// handle from the cache) never pulls a descriptor out from under a read in progress.
final class SegmentHandle: @unchecked Sendable {
    let fd: Int32
    let number: UInt32
    let path: String

    init(fd: Int32, number: UInt32, path: String) {
        self.fd = fd
        self.number = number
        self.path = path
    }

    deinit { close(fd) }

    /// Reads the record at `offset`, checks its framing, CRC and id, and returns the payload.
    func readPayload(offset: UInt32, length: UInt32, id: EntryID) throws(StoreError) -> [UInt8] {
        let total = StoreFormat.recordHeaderSize + Int(length)
        let buffer: [UInt8]
        do {
            buffer = try FileSystem.read(fd, count: total, at: Int64(offset))
        } catch {
            throw error.storeError(path: path, doing: "reading entry \(id.hex)")
        }
        let problem: String? = buffer.withUnsafeBytes { raw in
            switch StoreFormat.parseRecord(UnsafeRawBufferPointer(rebasing: raw[...])) {
            case let .record(storedID, storedLength):
                if storedID != id || storedLength != Int(length) { return "the record there is not entry \(id.hex)" }
                return nil
            case let .incomplete(_, why): return why
            case let .bad(why): return why
            }
        }
        if let problem {
            throw StoreError(.corrupt, "store segment \(path) is damaged at byte \(offset), where entry \(id.hex) was stored: \(problem). Stop the node and run `vigil store check` on the store directory, then `vigil store repair`.", path: path, offset: Int64(offset))
        }
        return Array(buffer[StoreFormat.recordHeaderSize...])
    }
}

/// Creating segment files.
enum SegmentFiles {
    /// Creates segment `number` whole: its header goes to `NAME.tmp`, is fsynced, renamed into place and
    /// the directory fsynced. Returns the new segment opened for reading and writing.
    static func create(directory: String, number: UInt32, io: any FileIO) throws(StoreError) -> SegmentHandle {
        let path = FileSystem.join(directory, StoreFormat.segmentFileName(number))
        let temporary = path + StoreFormat.temporarySuffix
        var step = "creating"
        do {
            let fd = try FileSystem.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
            defer { close(fd) }
            step = "writing the header of"
            try io.write(fd, StoreFormat.segmentHeader(number: number), at: 0)
            step = "syncing"
            try io.sync(fd)
            step = "renaming"
            try FileSystem.rename(temporary, path)
            step = "syncing the directory after creating"
            try FileSystem.syncDirectory(directory)
            step = "opening"
            let rw = try FileSystem.open(path, O_RDWR)
            return SegmentHandle(fd: rw, number: number, path: path)
        } catch {
            try? FileSystem.unlink(temporary)
            throw error.storeError(path: path, doing: "\(step) new segment \(number)")
        }
    }

    /// The segments in `directory`, sorted by number.
    static func list(_ directory: String) throws(StoreError) -> [(number: UInt32, path: String)] {
        let names: [String]
        do {
            names = try FileSystem.list(directory)
        } catch {
            throw error.storeError(path: directory, doing: "listing the store directory")
        }
        return names.compactMap { name in
            StoreFormat.segmentNumber(fileName: name).map { (number: $0, path: FileSystem.join(directory, name)) }
        }.sorted { $0.number < $1.number }
    }

    /// Leftover `*.tmp` files of segments being created or repaired.
    static func temporaries(_ directory: String) -> [String] {
        ((try? FileSystem.list(directory)) ?? []).filter {
            $0.hasPrefix(StoreFormat.segmentPrefix) && $0.hasSuffix(StoreFormat.segmentSuffix + StoreFormat.temporarySuffix)
        }
    }
}
