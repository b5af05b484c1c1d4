/// Why a network operation failed: what failed, with what, and what to do about it.
public struct NetworkError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A stable category.
    public enum Code: String, Sendable {
        /// A host or port that cannot be used (not an address, no such name).
        case address
        /// The port is taken, or the address is not on this machine.
        case bind
        /// A system call failed (out of descriptors, memory, …).
        case system
        /// The loop was shut down; it takes no more work.
        case stopped
        /// A configuration value out of range.
        case configuration
    }

    /// The category.
    public let code: Code
    /// The reason, in words an operator can act on.
    public let message: String

    /// An error of `code` with `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
