import Foundation
import VigilModel
import VigilSync

/// The federation's genesis: its name, the authority, and every founding member with the address it
/// listens on and the peers it dials first. Written by `Scripts/certs` (from `Peers/federation.json`
/// and the generated keys) as `genesis.json` in each node directory.
///
/// ```json
/// {"federation": "…", "authority": "<node id hex>",
///  "members": [{"name": "ncc", "organisation": "…", "role": "authority", "nodeId": "<hex>",
///               "host": "127.0.0.1", "port": 7401, "dials": ["gov-antwerp"],
///               "alternateAddresses": ["10.9.0.1:7401"]}, …]}
/// ```
public struct Genesis: Sendable, Equatable {
    /// One founding member.
    public struct Member: Codable, Sendable, Equatable {
        /// Name (certificate CN), unique.
        public let name: String
        /// Organisation (certificate O).
        public let organisation: String
        /// Role.
        public let role: String
        /// Node id, 64 hex digits.
        public let nodeId: String
        /// Host it listens on.
        public let host: String
        /// Port it listens on.
        public let port: Int
        /// Names of the members it dials.
        public let dials: [String]
        /// Further addresses it listens on, `"host:port"`, tried in this order after `host`:`port`
        /// (a backup link). Optional: older files give one address per member, and older releases
        /// ignore the field and use `host` and `port` alone.
        public var alternateAddresses: [String]? = nil

        /// Every address it listens on, first first: `host:port`, then the alternate addresses.
        public var addresses: [String] { ["\(host):\(port)"] + (alternateAddresses ?? []) }

        /// The node id as bytes (validated at decoding).
        public var node: NodeID { NodeID(hex: nodeId)! }
        /// Its audience profile.
        public var profile: MemberProfile { MemberProfile(node: node, role: role, organisation: organisation) }
    }

    private struct Document: Codable {
        /// Absent in files written by release 0.2 (version 1).
        let formatVersion: UInt32?
        let federation: String
        let authority: String
        let members: [Member]
    }

    /// The federation's name.
    public let federation: String
    /// The authority's node id.
    public let authority: NodeID
    /// Every founding member.
    public let members: [Member]

    /// Decodes and validates a genesis document; every problem is named with its place and a remedy.
    public init(json data: Data) throws(ConfigurationError) {
        // Format version (docs/formats.md), before anything else: a newer file may not decode as this Document.
        struct Versioned: Decodable { let formatVersion: UInt32? }
        if let version = (try? JSONDecoder().decode(Versioned.self, from: data))?.formatVersion {
            do { try FormatVersion.genesis.check(version, file: "genesis.json") } catch { throw ConfigurationError(error.message) }
        }
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: data)
        } catch let Swift.DecodingError.keyNotFound(key, context) {
            throw ConfigurationError("missing field \"\(key.stringValue)\" at \(Self.path(context.codingPath))")
        } catch let Swift.DecodingError.typeMismatch(type, context) {
            throw ConfigurationError("\(Self.path(context.codingPath)) should be a \(type): \(context.debugDescription)")
        } catch let Swift.DecodingError.valueNotFound(type, context) {
            throw ConfigurationError("\(Self.path(context.codingPath)) is null, expected a \(type)")
        } catch let Swift.DecodingError.dataCorrupted(context) {
            throw ConfigurationError("not valid JSON at \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw ConfigurationError("cannot read the genesis: \(error)")
        }
        guard !document.federation.isEmpty else { throw ConfigurationError("\"federation\" (the federation's name) is empty") }
        guard let authority = NodeID(hex: document.authority) else {
            throw ConfigurationError("\"authority\" must be the authority's node id, 64 hex digits")
        }
        guard !document.members.isEmpty else { throw ConfigurationError("\"members\" is empty: a federation needs at least its authority") }
        var names = Set<String>(), ids = Set<NodeID>()
        for (i, m) in document.members.enumerated() {
            let at = "members[\(i)] (\(m.name))"
            guard !m.name.isEmpty, m.name.utf8.count <= 64 else { throw ConfigurationError("\(at): name must be 1-64 bytes") }
            guard names.insert(m.name).inserted else { throw ConfigurationError("\(at): the name \"\(m.name)\" is used twice") }
            guard let id = NodeID(hex: m.nodeId) else { throw ConfigurationError("\(at): nodeId must be 64 hex digits") }
            guard ids.insert(id).inserted else { throw ConfigurationError("\(at): node id \(id.fingerprint) is used twice") }
            if let p = AudienceNames.problem(role: m.role) { throw ConfigurationError("\(at): role: \(p)") }
            guard Role(rawValue: m.role) != nil else {
                throw ConfigurationError("\(at): role \"\(m.role)\" is not a known role (\(Role.knownNames))")
            }
            if let p = AudienceNames.problem(organisation: m.organisation) { throw ConfigurationError("\(at): organisation: \(p)") }
            guard !m.host.isEmpty else { throw ConfigurationError("\(at): host is empty") }
            guard (1...65535).contains(m.port) else { throw ConfigurationError("\(at): port \(m.port) is not 1-65535") }
            var seen: Set<String> = ["\(m.host):\(m.port)"]
            for (j, address) in (m.alternateAddresses ?? []).enumerated() {
                guard RosterChange.isAddress(address) else {
                    throw ConfigurationError("\(at): alternateAddresses[\(j)] \"\(address)\" must be \"host:port\" with a port 1-65535")
                }
                guard seen.insert(address).inserted else { throw ConfigurationError("\(at): alternateAddresses[\(j)] \"\(address)\" is listed twice") }
            }
        }
        for (i, m) in document.members.enumerated() {
            for d in m.dials {
                guard names.contains(d) else { throw ConfigurationError("members[\(i)] (\(m.name)) dials \"\(d)\", which is not a member") }
                guard d != m.name else { throw ConfigurationError("members[\(i)] (\(m.name)) dials itself") }
            }
        }
        guard ids.contains(authority) else { throw ConfigurationError("the authority \(authority.fingerprint) is not among the members") }
        federation = document.federation
        self.authority = authority
        members = document.members
    }

    /// Reads `path`.
    public init(contentsOfFile path: String) throws(ConfigurationError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read \(path); it is written by Scripts/certs (or copy the federation's genesis.json there)")
        }
        do {
            try self.init(json: data)
        } catch {
            throw ConfigurationError("\(path): \(error.message)")
        }
    }

    /// The member with this node id.
    public func member(_ node: NodeID) -> Member? { members.first { $0.node == node } }
    /// The member called `name`.
    public func member(named name: String) -> Member? { members.first { $0.name == name } }
    /// The roster at genesis: the founding members, before any roster entry.
    public var roster: Roster {
        Roster(authority: authority, founders: members.map {
            RosterMember(identity: $0.node, name: $0.name, organisation: $0.organisation, role: $0.role, addresses: $0.addresses)
        })
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the top level" : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }
}

/// A configuration file is wrong: where, and what to do.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The message.
    public let message: String
    /// An error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
