import Glibc

/// An error from the entry store: what failed, with which file, and what to do about it.
///
/// `code` is a stable category to switch on; `message` is written for an operator and always says what
/// to do next. A struct over a private enum so that categories can be added without breaking callers.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable, machine-readable category of store failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case locked, corrupt, diskFull = "disk-full", io, closed, failed
            case invalidConfiguration = "invalid-configuration", unsupportedFormat = "unsupported-format"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// Another process (or another open in this process) holds the store's `LOCK`.
        public static let locked = Code(.locked)
        /// A segment holds damaged bytes that are not a torn tail; `vigil store repair` fixes it.
        public static let corrupt = Code(.corrupt)
        /// The disk (or quota) is full; the append was not stored, nothing earlier was harmed.
        public static let diskFull = Code(.diskFull)
        /// Any other failed system call.
        public static let io = Code(.io)
        /// The store was closed.
        public static let closed = Code(.closed)
        /// An earlier I/O failure could not be undone; the store must be reopened.
        public static let failed = Code(.failed)
        /// A `StoreConfiguration` value is out of range.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The files were written by a newer (or unknown) store format.
        public static let unsupportedFormat = Code(.unsupportedFormat)

        /// The category's name, e.g. `disk-full`.
        public var description: String { value.rawValue }
    }

    /// The category.
    public let code: Code
    /// The full message: what failed, where, and what to do.
    public let message: String
    /// The file or directory concerned, when there is one.
    public let path: String?
    /// The byte offset in `path` concerned, when there is one.
    public let offset: Int64?

    /// An error; `message` should say what failed and what the reader can do.
    public init(_ code: Code, _ message: String, path: String? = nil, offset: Int64? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.offset = offset
    }

    public var description: String { message }
}

extension StoreError {
    /// A failed system call on `path`. ENOSPC and EDQUOT become `.diskFull`.
    static func system(_ call: String, _ errorNumber: Int32, path: String, doing what: String) -> StoreError {
        let reason = String(cString: strerror(errorNumber))
        if errorNumber == ENOSPC || errorNumber == EDQUOT {
            return StoreError(.diskFull, "\(what) failed: \(call) on \(path): \(reason). Nothing already stored was harmed; free disk space (or raise the quota) and the store carries on.", path: path)
        }
        return StoreError(.io, "\(what) failed: \(call) on \(path): \(reason) (errno \(errorNumber)). Check the disk and the permissions of the store directory.", path: path)
    }

    /// The store's directory or segments hold damage that `open` must not silently drop.
    static func corrupt(_ problem: StoreProblem, directory: String) -> StoreError {
        StoreError(.corrupt, "store segment \(problem.file) is damaged at byte \(problem.offset): \(problem.detail). The store was not opened and nothing was changed. Run `vigil store check \(directory)` to list every problem, then `vigil store repair \(directory)` to keep every intact record and drop the damaged bytes.", path: problem.file, offset: problem.offset)
    }

    static func closed(_ directory: String) -> StoreError {
        StoreError(.closed, "the store at \(directory) is closed; open it again to use it", path: directory)
    }
}

/// A failed system call, before it is given its file and its purpose.
struct SystemCallError: Error {
    /// The call, e.g. `pwrite`.
    let call: String
    /// The `errno` it left.
    let errorNumber: Int32

    func storeError(path: String, doing what: String) -> StoreError {
        StoreError.system(call, errorNumber, path: path, doing: what)
    }
}
