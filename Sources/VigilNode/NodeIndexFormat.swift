import Dispatch
import VigilModel
import VigilStore
import VigilSync

/// The node's start-up index file (`store/node-index`): what the node derived from its stored
/// entries (`NodeIndexChunk`), so that a restart does not read every entry again. It is a cache: the
/// store stays the truth, every chunk is checked against the store's own index before use, and a
/// missing, damaged or mismatched index is rebuilt from the entries. Layout (docs/store-format.md,
/// "Start-up index"); integers in frames are little-endian u32, inside bodies minimal LEB128 varints:
///
///     header   "VIGILNIX" (8) · format version u32 (= 1) · reserved u32 (= 0)
///     chunk*   body length u32 · CRC-32C of the body u32 · body
///     body     firstPosition · audiences · authors · records
///     audiences  count · { tlp u8 · roles count · {len · UTF-8}* · organisations count · {len · UTF-8}* · nodes count · {32}* }*
///     authors    count · {32 bytes}*            (in order of first use)
///     records    count · { id 32 · HLC ms · HLC counter · author index · audience index · kind u8 ·
///                          flags u8 (bit 0: automatic receipt) · refs count · {32 bytes}* }*
///
/// Chunks follow each other in store order: each one's `firstPosition` is where the previous ended.
public enum NodeIndexFormat {
    /// The header's magic bytes.
    public static let magic: [UInt8] = Array("VIGILNIX".utf8)
    /// The format version this code reads and writes.
    public static let version: UInt32 = 1
    /// Header size in bytes.
    public static let headerSize = 16
    /// Chunk frame (length and CRC) size in bytes.
    public static let frameSize = 8
    /// The largest chunk body accepted.
    public static let maxBodyBytes = 256 << 20
    /// Smallest encoded record (32-byte id and seven one-byte fields), bounds a count before allocating.
    static let minRecordBytes = 39

    /// The file header.
    public static func header() -> [UInt8] {
        var out = magic
        appendLE(version, to: &out)
        appendLE(0, to: &out)
        return out
    }

    // MARK: Chunks

    /// The framed chunk: length, CRC-32C, body.
    public static func framed(_ chunk: NodeIndexChunk) -> [UInt8] {
        let body = encode(chunk)
        var out: [UInt8] = []
        out.reserveCapacity(frameSize + body.count)
        appendLE(UInt32(body.count), to: &out)
        appendLE(CRC32C.checksum(body), to: &out)
        out += body
        return out
    }

    /// The chunk body.
    public static func encode(_ chunk: NodeIndexChunk) -> [UInt8] {
        var w = ByteWriter(capacity: 64 + chunk.records.count * 80 + chunk.references.count * 32)
        w.varint(UInt64(chunk.firstPosition))
        w.varint(UInt64(chunk.audiences.count))
        for a in chunk.audiences {
            w.byte(a.tlp.rawValue)
            w.varint(UInt64(a.roles.count))
            for role in a.roles { w.lengthPrefixed(Array(role.utf8)) }
            w.varint(UInt64(a.organisations.count))
            for org in a.organisations { w.lengthPrefixed(Array(org.utf8)) }
            w.varint(UInt64(a.nodes.count))
            for node in a.nodes { w.bytes32(node) }
        }
        var authorIndex: [NodeID: UInt32] = [:]
        var authors: [NodeID] = []
        var authorOf: [UInt32] = []
        authorOf.reserveCapacity(chunk.records.count)
        for r in chunk.records {
            if let known = authorIndex[r.author] {
                authorOf.append(known)
            } else {
                authorIndex[r.author] = UInt32(authors.count)
                authorOf.append(UInt32(authors.count))
                authors.append(r.author)
            }
        }
        w.varint(UInt64(authors.count))
        for a in authors { w.bytes32(a) }
        w.varint(UInt64(chunk.records.count))
        var nextRef = 0, nextReceipt = 0
        for (i, r) in chunk.records.enumerated() {
            w.bytes32(r.id)
            w.varint(r.timestamp.milliseconds)
            w.varint(UInt64(r.timestamp.counter))
            w.varint(UInt64(authorOf[i]))
            w.varint(UInt64(r.audience))
            w.byte(chunk.kinds[i].rawValue)
            let receipt = nextReceipt < chunk.receipts.count && chunk.receipts[nextReceipt] == UInt32(i)
            if receipt { nextReceipt += 1 }
            w.byte(receipt ? 1 : 0)
            var end = nextRef
            while end < chunk.references.count && chunk.references[end].from == UInt32(i) { end += 1 }
            w.varint(UInt64(end - nextRef))
            for k in nextRef..<end { w.bytes32(chunk.references[k].to) }
            nextRef = end
        }
        return w.bytes
    }

    /// Decodes a chunk body strictly: one valid encoding per chunk (tables in order of first use, no
    /// entry unused or repeated, audiences canonical, varints minimal, nothing after the last record).
    public static func decode(_ bytes: [UInt8]) throws(DecodingError) -> NodeIndexChunk {
        var r = ByteReader(bytes)
        let first = try r.varint("firstPosition", max: UInt64(Int32.max))
        var chunk = NodeIndexChunk(firstPosition: Int(first))
        let audienceCount = Int(try r.varint("audiences.count", max: UInt64(r.remaining)))
        var seenAudiences = Set<Audience>()
        for i in 0..<audienceCount {
            let start = r.offset
            let audience = try decodeAudience(&r, "audiences[\(i)]")
            guard seenAudiences.insert(audience).inserted else {
                throw DecodingError(field: "audiences[\(i)]", offset: start, reason: "the audience is listed twice")
            }
            chunk.audiences.append(audience)
        }
        let authorCount = Int(try r.varint("authors.count", max: UInt64(r.remaining / 32)))
        var authors: [NodeID] = []
        authors.reserveCapacity(authorCount)
        var seenAuthors = Set<NodeID>()
        for i in 0..<authorCount {
            let start = r.offset
            let author = try r.bytes32("authors[\(i)]")
            guard seenAuthors.insert(author).inserted else {
                throw DecodingError(field: "authors[\(i)]", offset: start, reason: "the author is listed twice")
            }
            authors.append(author)
        }
        let recordCount = Int(try r.varint("records.count", max: UInt64(r.remaining / minRecordBytes)))
        chunk.records.reserveCapacity(recordCount)
        chunk.kinds.reserveCapacity(recordCount)
        var authorsUsed: UInt64 = 0, audiencesUsed: UInt64 = 0
        for i in 0..<recordCount {
            let id = try r.bytes32("records[\(i)].id")
            let ms = try r.varint("records[\(i)].milliseconds", max: HybridTimestamp.maxMilliseconds)
            let counter = try r.varint("records[\(i)].counter", max: UInt64(UInt32.max))
            let authorAt = r.offset
            let author = try r.varint("records[\(i)].author", max: UInt64(authors.count))
            guard author <= authorsUsed, author < UInt64(authors.count) else {
                throw DecodingError(field: "records[\(i)].author", offset: authorAt,
                                    reason: "author \(author) is not one of the \(authorsUsed) used so far nor the next one")
            }
            if author == authorsUsed { authorsUsed += 1 }
            let audienceAt = r.offset
            let audience = try r.varint("records[\(i)].audience", max: UInt64(chunk.audiences.count))
            guard audience <= audiencesUsed, audience < UInt64(chunk.audiences.count) else {
                throw DecodingError(field: "records[\(i)].audience", offset: audienceAt,
                                    reason: "audience \(audience) is not one of the \(audiencesUsed) used so far nor the next one")
            }
            if audience == audiencesUsed { audiencesUsed += 1 }
            let kindAt = r.offset
            let code = try r.byte("records[\(i)].kind")
            guard let kind = EntryKind(rawValue: code) else {
                throw DecodingError(field: "records[\(i)].kind", offset: kindAt, reason: "unknown entry kind \(code)")
            }
            let flagsAt = r.offset
            let flags = try r.byte("records[\(i)].flags")
            guard flags <= 1 else { throw DecodingError(field: "records[\(i)].flags", offset: flagsAt, reason: "unknown flags \(flags)") }
            let refsAt = r.offset
            let refCount = try r.varint("records[\(i)].refs.count", max: UInt64(EntryLimits.maxRefs))
            if flags == 1 {
                guard kind == .acknowledgement, refCount > 0 else {
                    throw DecodingError(field: "records[\(i)].flags", offset: flagsAt, reason: "an automatic receipt must be an ack with a ref")
                }
                chunk.receipts.append(UInt32(i))
            }
            for k in 0..<Int(refCount) {
                chunk.references.append(.init(from: UInt32(i), to: try r.bytes32("records[\(i)].refs[\(k)]")))
            }
            _ = refsAt
            chunk.records.append(HeldRecord(id: id, timestamp: HybridTimestamp(milliseconds: ms, counter: UInt32(counter)),
                                            author: authors[Int(author)], audience: UInt32(audience)))
            chunk.kinds.append(kind)
        }
        guard authorsUsed == UInt64(authors.count) else {
            throw DecodingError(field: "authors", offset: r.offset, reason: "\(UInt64(authors.count) - authorsUsed) listed authors are used by no record")
        }
        guard audiencesUsed == UInt64(chunk.audiences.count) else {
            throw DecodingError(field: "audiences", offset: r.offset, reason: "\(UInt64(chunk.audiences.count) - audiencesUsed) listed audiences are used by no record")
        }
        try r.expectEnd("chunk")
        return chunk
    }

    private static func decodeAudience(_ r: inout ByteReader, _ field: String) throws(DecodingError) -> Audience {
        let start = r.offset
        let code = try r.byte(field + ".tlp")
        guard let tlp = TLPLabel(rawValue: code) else { throw DecodingError(field: field + ".tlp", offset: start, reason: "unknown TLP code \(code)") }
        let roles = try names(&r, field + ".roles", max: EntryLimits.maxRoles, bytes: EntryLimits.maxRoleBytes)
        let organisations = try names(&r, field + ".organisations", max: EntryLimits.maxOrganisations, bytes: EntryLimits.maxOrganisationBytes)
        let nodeCount = Int(try r.varint(field + ".nodes.count", max: UInt64(EntryLimits.maxNodes)))
        var nodes: [NodeID] = []
        for k in 0..<nodeCount { nodes.append(try r.bytes32(field + ".nodes[\(k)]")) }
        let audience = Audience(tlp: tlp, roles: roles, organisations: organisations, nodes: nodes)
        guard audience.roles == roles, audience.organisations == organisations, audience.nodes == nodes else {
            throw DecodingError(field: field, offset: start, reason: "the audience's lists are not sorted without repeats")
        }
        return audience
    }

    private static func names(_ r: inout ByteReader, _ field: String, max: Int, bytes limit: Int) throws(DecodingError) -> [String] {
        let count = Int(try r.varint(field + ".count", max: UInt64(max)))
        var out: [String] = []
        for k in 0..<count {
            let at = r.offset
            let length = Int(try r.varint(field + "[\(k)].length", max: UInt64(limit)))
            let raw = try r.raw(length, field + "[\(k)]")
            let text = String(decoding: raw, as: UTF8.self)
            guard text.utf8.elementsEqual(raw) else { throw DecodingError(field: field + "[\(k)]", offset: at, reason: "not valid UTF-8") }
            out.append(text)
        }
        return out
    }

    // MARK: The file

    /// What a start-up index file holds: its intact chunks, in order, and why reading stopped early.
    public struct Contents: Equatable, Sendable {
        /// The intact chunks, in store order, starting at position 0.
        public var chunks: [NodeIndexChunk] = []
        /// Bytes from the start of the file up to the end of the last intact chunk (0 when the header is bad).
        public var intactBytes = 0
        /// Where each intact chunk ends in the file (bytes from its start).
        public var chunkEnds: [Int] = []
        /// Why the rest of the file (if any) was not used; nil when every byte was.
        public var problem: NodeIndexProblem?
        /// Store positions covered by the intact chunks.
        public var covered: Int { chunks.last.map { $0.positions.upperBound } ?? 0 }
    }

    /// Reads a whole file: the header, then chunks until the end or the first damaged one. Never throws:
    /// damage is reported in `problem` and the intact prefix is kept.
    public static func parse(_ file: [UInt8]) -> Contents {
        var contents = Contents()
        guard file.count >= headerSize else {
            contents.problem = .badHeader("the file is \(file.count) bytes, shorter than its \(headerSize)-byte header")
            return contents
        }
        guard file[0..<8].elementsEqual(magic) else {
            contents.problem = .badHeader("its first bytes are not \"VIGILNIX\"")
            return contents
        }
        let v = file.withUnsafeBytes { loadLE32($0, 8) }
        guard v == version else {
            contents.problem = .otherVersion(v)
            return contents
        }
        guard file.withUnsafeBytes({ loadLE32($0, 12) }) == 0 else {
            contents.problem = .badHeader("its reserved header bytes are not zero")
            return contents
        }
        // Frames first (cheap), then every chunk's checksum and decoding on every core, then the
        // chunks in order up to the first that is unusable.
        var frames: [(offset: Int, length: Int, crc: UInt32)] = []
        var framingProblem: NodeIndexProblem?
        var offset = headerSize
        while offset < file.count {
            guard file.count - offset >= frameSize else {
                framingProblem = .damagedChunk(offset: offset, reason: "a chunk frame cut short (\(file.count - offset) bytes)")
                break
            }
            let (length, crc) = file.withUnsafeBytes { (Int(loadLE32($0, offset)), loadLE32($0, offset + 4)) }
            guard length <= maxBodyBytes, length <= file.count - offset - frameSize else {
                framingProblem = .damagedChunk(offset: offset, reason: "its length \(length) runs past the end of the file")
                break
            }
            frames.append((offset, length, crc))
            offset += frameSize + length
        }
        let framed = frames
        var decoded = [Result<NodeIndexChunk, NodeIndexProblem>?](repeating: nil, count: frames.count)
        decoded.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let out = buffer
            DispatchQueue.concurrentPerform(iterations: frames.count) { i in
                let frame = framed[i]
                let body = Array(file[(frame.offset + frameSize)..<(frame.offset + frameSize + frame.length)])
                guard CRC32C.checksum(body) == frame.crc else {
                    out[i] = .failure(.damagedChunk(offset: frame.offset, reason: "its checksum does not match"))
                    return
                }
                do {
                    out[i] = .success(try decode(body))
                } catch {
                    out[i] = .failure(.damagedChunk(offset: frame.offset, reason: "it does not decode: \(error)"))
                }
            }
        }
        contents.intactBytes = headerSize
        for (i, result) in decoded.enumerated() {
            let chunk: NodeIndexChunk
            switch result! {
            case .failure(let problem):
                contents.problem = problem
                return contents
            case .success(let c): chunk = c
            }
            guard chunk.firstPosition == contents.covered else {
                contents.problem = .damagedChunk(offset: frames[i].offset, reason: "it starts at store position \(chunk.firstPosition), not \(contents.covered)")
                return contents
            }
            contents.chunks.append(chunk)
            contents.intactBytes = frames[i].offset + frameSize + frames[i].length
            contents.chunkEnds.append(contents.intactBytes)
        }
        contents.problem = framingProblem
        return contents
    }

    static func appendLE(_ value: UInt32, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) }
    }

    static func loadLE32(_ p: UnsafeRawBufferPointer, _ at: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: at, as: UInt32.self))
    }
}

/// Why (part of) a start-up index file was not used.
public enum NodeIndexProblem: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file.
    case missing
    /// The header is damaged.
    case badHeader(String)
    /// Written by another format version.
    case otherVersion(UInt32)
    /// A chunk at this byte offset is damaged or out of place; the chunks before it are intact.
    case damagedChunk(offset: Int, reason: String)
    /// A record does not match the store: the entry at that store position has another id or timestamp
    /// (the store was repaired, restored or replaced), or the store holds fewer entries.
    case storeMismatch(position: Int, reason: String)

    public var description: String {
        switch self {
        case .missing: "there is no start-up index"
        case .badHeader(let why): "the start-up index header is damaged: \(why)"
        case .otherVersion(let v): "the start-up index has format version \(v); this Vigil writes version \(NodeIndexFormat.version)"
        case .damagedChunk(let offset, let reason): "the start-up index chunk at byte \(offset) is unusable: \(reason)"
        case .storeMismatch(let position, let reason): "the start-up index does not match the store at position \(position): \(reason)"
        }
    }
}
