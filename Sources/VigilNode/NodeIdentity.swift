import Foundation
import VigilModel
import VigilStore

/// Who this node is at start-up: its genesis entry, its roster entry in the genesis form, or — for a node
/// not yet in the roster — what node.json says, with the address from the options.
extension Node {
    /// A roster member in the genesis form: its genesis entry when it has one (with its dials), else
    /// its roster entry's addresses (the first as host and port), dialing the authority.
    static func describe(_ m: RosterMember, genesis: Genesis, options: NodeOptions) throws -> Genesis.Member {
        if let founder = genesis.member(m.identity) { return founder }
        let address = m.addresses.first.flatMap(Self.split)
        guard let port = options.listenPort ?? address?.port else {
            throw ConfigurationError("\(m.name) has no address in the roster; start it with --listen HOST:PORT")
        }
        let authority = genesis.member(genesis.authority)!.name
        return Genesis.Member(name: m.name, organisation: m.organisation, role: m.role, nodeId: m.identity.hex,
                              host: options.listenHost ?? address?.host ?? "127.0.0.1", port: port, dials: [authority],
                              alternateAddresses: options.listenPort == nil && m.addresses.count > 1 ? Array(m.addresses.dropFirst()) : nil)
    }

    /// A node not yet in the roster (the authority's `roster add` has not reached it): name,
    /// organisation and role from node.json, address from the options.
    static func newcomer(_ node: NodeID, directory: String, genesis: Genesis, options: NodeOptions, store: EntryStore) throws -> Genesis.Member {
        struct Description: Decodable { let name: String; let organisation: String; let role: String }
        guard let data = FileManager.default.contents(atPath: directory + "/node.json"),
              let d = try? JSONDecoder().decode(Description.self, from: data) else {
            store.close()
            throw ConfigurationError("this node (\(node.fingerprint)) is not a member of \(genesis.federation): not in genesis.json nor in the roster entries held, and \(directory)/node.json does not say who it is. Check that genesis.json is this federation's and identity.key this node's; a new member needs the authority's `vigil roster add`")
        }
        // A founder that restarted with a rotated key (the rotation has not reached it yet): its genesis
        // entry, found by name, still gives its address and its peers.
        if let founder = genesis.member(named: d.name), founder.organisation == d.organisation, founder.role == d.role {
            return Genesis.Member(name: founder.name, organisation: founder.organisation, role: founder.role, nodeId: node.hex,
                                  host: options.listenHost ?? founder.host, port: options.listenPort ?? founder.port, dials: founder.dials,
                                  alternateAddresses: founder.alternateAddresses)
        }
        guard let port = options.listenPort else {
            store.close()
            throw ConfigurationError("\(d.name) is not in the roster yet, so its address is unknown: start it with --listen HOST:PORT (the address the authority put in `vigil roster add`)")
        }
        let authority = genesis.member(genesis.authority)!.name
        return Genesis.Member(name: d.name, organisation: d.organisation, role: d.role, nodeId: node.hex,
                              host: options.listenHost ?? "127.0.0.1", port: port, dials: [authority])
    }

    static func split(_ address: String) -> (host: String, port: Int)? {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]) else { return nil }
        return (String(address[..<colon]), port)
    }
}
