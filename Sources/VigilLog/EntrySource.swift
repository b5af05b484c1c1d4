import VigilModel

/// Where the log reads entry bodies when a view needs them (the store, or memory in tests).
/// The log itself keeps only ids, timestamps, authors and references.
public protocol EntrySource {
    /// The entry with `id`, or nil when it is not held.
    func entry(_ id: EntryID) -> Entry?
}

/// Entries held in memory.
public struct MemoryEntrySource: EntrySource, Sendable {
    /// The entries by id.
    public var entries: [EntryID: Entry]

    /// A source holding `entries`.
    public init(_ entries: [Entry] = []) {
        self.entries = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Adds an entry.
    public mutating func add(_ entry: Entry) { entries[entry.id] = entry }

    public func entry(_ id: EntryID) -> Entry? { entries[id] }
}
