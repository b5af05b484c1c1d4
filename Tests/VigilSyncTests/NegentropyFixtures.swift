import Foundation
import Testing
import VigilCrypto
import VigilModel
@testable import VigilSync

/// A reference transcript from `../shared/testdata/negentropy/`: the case's parameters and the events
/// the reference implementation produced, in order.
struct NegentropyTranscript: Sendable, CustomStringConvertible {
    enum Event: Equatable, Sendable {
        case initiatorMessage([UInt8])
        case responderMessage([UInt8])
        case have(Bytes32)
        case need(Bytes32)
        case done
    }

    let file: String
    let name: String
    let common: Int
    let onlyInitiator: Int
    let onlyResponder: Int
    let timestampDivisor: Int
    let frameSizeLimit: Int
    let events: [Event]

    var description: String { file }

    /// The repository root: three levels up from this file (Tests/VigilSyncTests/File.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/testdata/negentropy` beside the checkout.
    static let directory = repositoryRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/testdata/negentropy")

    /// The transcript file names, sorted; empty when the folder is missing (a test reports that).
    static let fileNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }()

    static func load(_ file: String) throws -> NegentropyTranscript {
        let url = directory.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty, lines[0].hasPrefix("#") else {
            throw NegentropyTestFailure("\(url.path): the first line must be the '# case=…' header")
        }
        let header = lines.removeFirst()
        var fields = [String: String]()
        for part in header.dropFirst().split(separator: " ") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { fields[String(kv[0])] = String(kv[1]) }
        }
        func number(_ key: String) throws -> Int {
            guard let raw = fields[key], let value = Int(raw) else {
                throw NegentropyTestFailure("\(url.path): header has no numeric \(key)")
            }
            return value
        }
        guard let name = fields["case"] else { throw NegentropyTestFailure("\(url.path): header has no case=") }

        var events = [Event]()
        for (n, line) in lines.enumerated() {
            func fail() -> NegentropyTestFailure { NegentropyTestFailure("\(url.path) line \(n + 2): cannot parse '\(line.prefix(80))'") }
            if line == "initiator done" { events.append(.done); continue }
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw fail() }
            let kv = parts[1].split(separator: ",", maxSplits: 1)
            guard kv.count == 2 else { throw fail() }
            switch (parts[0], kv[0]) {
            case ("initiator", "msg"):
                guard let bytes = bytes(fromHex: kv[1]) else { throw fail() }
                events.append(.initiatorMessage(bytes))
            case ("responder", "msg"):
                guard let bytes = bytes(fromHex: kv[1]) else { throw fail() }
                events.append(.responderMessage(bytes))
            case ("initiator", "have"):
                guard let id = Bytes32(hex: kv[1]) else { throw fail() }
                events.append(.have(id))
            case ("initiator", "need"):
                guard let id = Bytes32(hex: kv[1]) else { throw fail() }
                events.append(.need(id))
            default:
                throw fail()
            }
        }
        return NegentropyTranscript(file: file, name: name, common: try number("common"),
                                    onlyInitiator: try number("only_initiator"), onlyResponder: try number("only_responder"),
                                    timestampDivisor: try number("ts_div"), frameSizeLimit: try number("frame_size_limit"),
                                    events: events)
    }

    /// Item `i` of this case: timestamp 1700000000 + i / ts_div, id SHA-256("vigil-negentropy-NAME-i").
    func item(_ i: Int) -> NegentropyItem {
        let id = Bytes32(SHA256.hash(Array("vigil-negentropy-\(name)-\(i)".utf8)))!
        return NegentropyItem(timestamp: 1_700_000_000 + UInt64(i / timestampDivisor), id: id)
    }

    var initiatorIndices: [Int] { Array(0..<(common + onlyInitiator)) }
    var responderIndices: [Int] { Array(0..<common) + Array((common + onlyInitiator)..<(common + onlyInitiator + onlyResponder)) }
    var initiatorItems: [NegentropyItem] { initiatorIndices.map(item) }
    var responderItems: [NegentropyItem] { responderIndices.map(item) }

    /// The expected rounds: the first message, then per responder message the have/need ids learnt
    /// from it and the initiator's next message (nil for done).
    struct Round: Equatable {
        var responderMessage: [UInt8]
        var have: Set<Bytes32>
        var need: Set<Bytes32>
        var next: [UInt8]?
    }

    func expectedRounds() throws -> (first: [UInt8], rounds: [Round]) {
        var events = self.events[...]
        guard case .initiatorMessage(let first)? = events.popFirst() else {
            throw NegentropyTestFailure("\(file): the first event must be an initiator message")
        }
        var rounds = [Round]()
        while let event = events.popFirst() {
            guard case .responderMessage(let reply) = event else {
                throw NegentropyTestFailure("\(file): expected a responder message, found \(event)")
            }
            var round = Round(responderMessage: reply, have: [], need: [], next: nil)
            loop: while let next = events.popFirst() {
                switch next {
                case .have(let id): round.have.insert(id)
                case .need(let id): round.need.insert(id)
                case .initiatorMessage(let message): round.next = message; break loop
                case .done: break loop
                case .responderMessage: throw NegentropyTestFailure("\(file): two responder messages in a row")
                }
            }
            rounds.append(round)
            if round.next == nil {
                guard events.isEmpty else { throw NegentropyTestFailure("\(file): events after done") }
            }
        }
        return (first, rounds)
    }
}

struct NegentropyTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Seeded randomness for the Negentropy tests (SplitMix64, from VigilModel), so every random test replays exactly.
typealias NegentropyTestRandom = SeededRandom

extension SeededRandom {
    mutating func id() -> Bytes32 {
        var bytes = [UInt8]()
        bytes.reserveCapacity(32)
        for _ in 0..<4 {
            let word = next()
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        return Bytes32(bytes)!
    }
}

/// The outcome of reconciling two storages in memory.
struct NegentropyRun {
    var messages: [[UInt8]] = []          // alternating: initiator, responder, initiator, …
    var have: [Bytes32] = []
    var need: [Bytes32] = []
    var rounds = 0
}

enum NegentropyInMemory {
    /// Runs a whole reconciliation between two storages; fails after `maxRounds` round trips.
    static func reconcile(initiator a: NegentropyStorage, responder b: NegentropyStorage,
                          frameSizeLimit: Int, maxRounds: Int = 1_000) throws -> NegentropyRun {
        var initiator = try NegentropyInitiator(storage: a, frameSizeLimit: frameSizeLimit)
        let responder = try NegentropyResponder(storage: b, frameSizeLimit: frameSizeLimit)
        var run = NegentropyRun()
        var message = try initiator.initiate()
        while true {
            run.messages.append(message)
            let reply = try responder.reconcile(message)
            run.messages.append(reply)
            let round = try initiator.reconcile(reply)
            run.rounds += 1
            run.have += round.have
            run.need += round.need
            guard let next = round.next else { return run }
            guard run.rounds < maxRounds else { throw NegentropyTestFailure("no convergence after \(maxRounds) rounds") }
            message = next
        }
    }
}
