import Dispatch
import Foundation
import VigilAPI
import Synchronization
import VigilCrypto
import VigilModel
import VigilNode

/// `vigil run`: runs the node until SIGTERM or SIGINT.
enum RunCommand: Command {
    static let name = "run"
    static let summary = "Run the node: sync with peers, serve the local API"
    static let help = """
        Usage: vigil run --dir DIR [--genesis FILE] [--listen HOST:PORT] [--idle-timeout S]
                         [--desk HOST:PORT|off] [--desk-cert FILE --desk-key FILE]
                         [--metrics FILE [--metrics-interval S]]

        Starts the node in DIR (identity.key, node.crt, ca.crt, genesis.json, store/): checks its
        certificate, opens its store (refusing to start on damage, with the file and offset), listens on
        its genesis addresses, dials its configured peers and, for a while, the peers that dial it
        (trying each address in turn; a lost peer is retried every few seconds, docs/sync-protocol.md),
        serves the local API on DIR/node.sock (owner only) and the desk, the officers' web console, on
        http://127.0.0.1:7480/, or over HTTPS (docs/desk.md; officers: `vigil desk add-officer`). Logs one structured line per event on
        standard error — every refused connection and entry with its reason.
        SIGTERM or SIGINT stops it gracefully: nothing acknowledged is lost.

        Options:
          --dir DIR            node directory (see `vigil init` and Scripts/certs)
          --genesis FILE       federation genesis (default DIR/genesis.json)
          --listen HOST:PORT   listen there instead of the roster's address (a new member not
                               yet in the roster needs it); --listen-host HOST changes the host only
          --idle-timeout S     close a session when nothing arrives from the peer for S seconds
                               (default 90; pings go every S/3 s, at most every 20 s): a shorter
                               one notices a dead link sooner
          --desk HOST:PORT     serve the desk there instead (default: "desk" in DIR/node.json, else
                               127.0.0.1:7480; port 0 picks a free port; [::1]:PORT for IPv6);
                               plain HTTP on loopback only, any other address needs HTTPS;
                               --desk off serves none
          --desk-cert FILE     serve the desk over HTTPS (TLS 1.2 or 1.3) with this PEM certificate
                               (then any intermediates); default "deskCert" in DIR/node.json. The
                               node's own DIR/node.crt will do for TLS clients with Ed25519; browsers
                               need an ECDSA or RSA certificate (docs/desk.md)
          --desk-key FILE      the certificate's private key (unencrypted PEM, mode 0600; the node's
                               own DIR/identity.key with node.crt); default "deskKey" in node.json
          --metrics FILE       write Prometheus metrics to FILE (node_exporter textfile format,
                               atomically) every --metrics-interval seconds (default 15)

        Examples:
          vigil run --dir Certs/ncc
          vigil run --dir /var/lib/vigil 2>>/var/log/vigil.log
          vigil run --dir /var/lib/vigil --metrics /var/lib/node_exporter/textfile_collector/vigil.prom
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir", "genesis", "listen-host", "listen", "idle-timeout", "desk", "desk-cert", "desk-key",
                                                                  "metrics", "metrics-interval"], switchFlags: [])
        try args.expectPositionals(0, "")
        var options = NodeOptions(directory: try args.required("dir"))
        // A node.json of a newer format means a newer release set this directory up: refuse before touching it.
        let config = try NodeDirectory(path: options.directory).loadConfig()
        let deskSetting = args.value("desk") ?? config?.desk
        let deskEndpoint = try DeskService.endpoint(args: args, config: config, directory: options.directory)
        // The certificate and key are checked before anything starts: a desk that cannot serve HTTPS stops the node.
        var deskTLS: TLSContext?
        if let files = deskEndpoint?.tls {
            do { deskTLS = try files.load(now: Date()) } catch { throw CommandFailure("cannot start: \(error.message)") }
        }
        options.genesisPath = args.value("genesis")
        options.listenHost = args.value("listen-host")
        if let listen = args.value("listen") {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (1...65535).contains(port) else {
                throw UsageError("--listen takes HOST:PORT with a port 1-65535, e.g. 127.0.0.1:7409; got \"\(listen)\"")
            }
            options.listenHost = String(listen[..<colon])
            options.listenPort = port
        }
        if let text = args.value("idle-timeout") {
            guard let seconds = Double(text), seconds >= 1, seconds <= 86_400 else {
                throw UsageError("--idle-timeout takes seconds from 1 to 86400, e.g. 30; got \"\(text)\"")
            }
            options.session.idleTimeout = UInt64(seconds * 1000)
            options.session.pingInterval = min(options.session.pingInterval, options.session.idleTimeout / 3)
        }
        var interval = 15
        if let text = args.value("metrics-interval") {
            guard let value = Int(text), value >= 1 else { throw UsageError("--metrics-interval takes whole seconds ≥ 1; got \"\(text)\"") }
            interval = value
        }
        options.progressSink = { line in Output.write(1, "vigil run: " + line + "\n") }
        signal(SIGPIPE, SIG_IGN)
        let node: Node
        do {
            node = try Node(options: options)
        } catch {
            throw CommandFailure("cannot start: \(error)")
        }
        let api = LocalAPIServer(path: options.directory + "/node.sock", node: node)
        var desk: DeskListener?
        do {
            try node.start()
            try api.start()
            if let deskEndpoint {
                desk = try DeskService.start(node: node, directory: options.directory, endpoint: deskEndpoint, tls: deskTLS,
                                             configured: deskSetting != nil || deskEndpoint.tls != nil, output: output)
            }
        } catch {
            node.stop()
            throw CommandFailure("cannot start: \(error)")
        }
        var metrics: MetricsWriter?
        let firstWrite = Atomic<Bool>(false)
        if let path = args.value("metrics") {
            let writer = MetricsWriter(path: path, interval: .seconds(interval), provider: { await node.metrics() },
                                       onError: { node.log.event(.warning, "metrics-write-failed", ["path": path, "reason": "\($0)"]) },
                                       onWrite: { if !firstWrite.exchange(true, ordering: .relaxed) { node.log.event(.info, "metrics-written", ["path": path]) } })
            writer.start()
            metrics = writer
        }
        output.out("vigil run: \(node.member.name) (\(node.member.organisation), \(node.member.role)) listening on \(node.listenAddresses.joined(separator: ", ")); local API \(api.path); \(desk.map { "desk \($0.url)" } ?? "no desk"); SIGTERM or Ctrl-C stops it")
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        metrics?.stop()
        desk?.stop()
        api.stop()
        node.stop()
        _ = sources
        output.out("vigil run: \(node.member.name) stopped")
        return ExitCode.success
    }
}

/// `vigil status`: this node and every peer.
enum StatusCommand: Command {
    static let name = "status"
    static let summary = "Show the running node and every peer: connected, last seen, behind, RTT"
    static let help = """
        Usage: vigil status --dir DIR [--json]

        Asks the node running in DIR (through DIR/node.sock) for its state: entries held, and for every
        peer whether it is connected, since when, when a frame last arrived, how many entries it still
        owes this node, and the round-trip time; configured peers that are not connected; refusals;
        and every peer that runs another Vigil release than this node (they sync what both understand).
        Exit code 3 when no node runs in DIR.

        Examples:
          vigil status --dir Certs/ncc
          vigil status --dir /var/lib/vigil --json
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(0, "")
        let dir = try args.required("dir")
        let status: NodeStatus
        do {
            status = try LocalAPIClient(path: dir + "/node.sock").send(StatusRequest()).status
        } catch {
            throw NodeAPI.failure(error)
        }
        if args.flag("json") {
            output.json(status)
            return ExitCode.success
        }
        output.table([("node", "\(status.name) (\(status.organisation), \(status.role))"), ("node id", status.nodeId),
                      ("release", status.release ?? "before 0.3.0"),
                      ("entries", "\(status.entries)" + { let owed = status.peers.reduce(0) { $0 + $1.entriesBehind }
                                                          return owed > 0 ? " (catching up: \(owed) still owed by peers)" : "" }()), ("peers", "\(status.peers.count) connected" + (status.disconnected.isEmpty ? "" : ", not connected: \(status.disconnected.joined(separator: ", "))"))])
        if !status.peers.isEmpty {
            output.out("")
            let rows = [["peer", "direction", "state", "connected", "last seen", "behind", "rtt"]] + status.peers.map { p in
                [p.name, p.outbound ? "dialed" + (p.route.map { " via \($0)" } ?? "") : "accepted", p.established ? "syncing" : "handshake",
                 String(format: "%.0f s", p.connectedSeconds), String(format: "%.1f s ago", p.lastSeenSeconds),
                 "\(p.entriesBehind)", p.roundTripMs.map { "\($0) ms" } ?? "–"]
            }
            let widths = (0..<7).map { c in rows.map { $0[c].count }.max() ?? 0 }
            for row in rows { output.out(row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")) }
        }
        for r in status.redials ?? [] {
            if r.leftToPeer == true {
                output.out("\(r.name): not connected; it dials this node (this node stopped trying 15 minutes after losing it)")
                continue
            }
            let via = r.route.map { " via \($0)" } ?? ""
            let when = r.nextTrySeconds.map { String(format: "next try in %.0f s", $0.rounded(.up)) + via } ?? "trying now" + via
            output.out("\(r.name): not connected, \(when)" + (r.failedAttempts > 0 ? " (\(r.failedAttempts) failed attempt\(r.failedAttempts == 1 ? "" : "s"))" : ""))
        }
        let others = Self.otherReleases(status)
        if !others.isEmpty { output.out("\n" + others.joined(separator: "\n")) }
        if !status.refusals.isEmpty {
            output.out("\nrefused: " + status.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        return ExitCode.success
    }

    /// One line per connected peer that runs another release than the node: mixed releases are
    /// normal while a federation upgrades one partner at a time (docs/operations.md).
    static func otherReleases(_ status: NodeStatus) -> [String] {
        let mine = status.release ?? "before 0.3.0"
        return status.peers.filter { $0.established && $0.release != status.release }.map { p in
            let theirs = p.release.map { "release \($0)" } ?? "a release before 0.3.0 (it does not announce its release)"
            return "\(p.name) runs \(theirs); this node runs \(mine). They sync what both understand; see docs/operations.md for upgrading."
        }
    }
}

/// `vigil entry submit`: hands an entry file to the running node.
enum EntrySubmitCommand: Command {
    static let name = "entry submit"
    static let summary = "Post an entry file (made by `entry new`) through the running node"
    static let help = """
        Usage: vigil entry submit --dir DIR FILE [--json]

        Sends the signed entry in FILE to the node running in DIR, which checks it (canonical, signed by
        this node), stores it durably and pushes it to every connected peer allowed to read it. Prints the
        entry id once it is on disk.

        Examples:
          vigil entry new --dir Certs/ncc --kind message --text "Comms check" --out m.entry
          vigil entry submit --dir Certs/ncc m.entry
        """

    static func run(_ raw: [String], output: Output) throws -> Int32 {
        let args = try Arguments(raw, command: name, valueFlags: ["dir"], switchFlags: ["json"])
        try args.expectPositionals(1, "FILE (the entry to submit)")
        let dir = try args.required("dir")
        let bytes = try EntryInspectCommand.readLimited(args.positionals[0])
        do {
            let answer = try LocalAPIClient(path: dir + "/node.sock").send(PostRequest(entry: Data(bytes).base64EncodedString()))
            if args.flag("json") { output.json(answer) } else { output.table([("stored", answer.id.hex)]) }
            return ExitCode.success
        } catch {
            throw NodeAPI.failure(error)
        }
    }
}
