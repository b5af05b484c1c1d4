// Ed25519 and entry-codec throughput of Vigil, measured against `openssl speed ed25519` in the same run.
// Run it through Scripts/bench-crypto, which builds it in release mode and pins it to one core.
import Foundation
import VigilBenchSupport
import VigilCrypto
import VigilModel

@main
struct BenchCrypto {
    static let usage = """
        usage: vigil-bench-crypto [--json] [--wall] [--seconds S] [--rounds N] [--openssl PATH] [--openssl-seconds S]
          --json             also print every figure as one JSON object, on the last line
          --wall             divide by wall-clock time on both sides (openssl speed -elapsed) instead of
                             by CPU time (openssl speed's default); only meaningful on an idle core
          --seconds S        length of each Vigil measurement (default 2)
          --rounds N         alternate openssl and Vigil N times (default 5): rates are the best round,
                             ratios the median of the per-round ratios
          --openssl PATH     the openssl command (default: openssl on PATH)
          --openssl-seconds  the -seconds of openssl speed (default 3)
        Exits 1 when the verify ratio misses the target, 2 on a usage error or when openssl fails.
        """

    /// Vigil verify / openssl verify must reach this.
    static let verifyTarget = 0.95

    static func main() {
        var options = Options()
        do { options = try Options(Array(CommandLine.arguments.dropFirst())) } catch {
            FileHandle.standardError.write(Data("vigil-bench-crypto: \(error)\n\(usage)\n".utf8))
            exit(2)
        }
        if options.help { print(usage); exit(0) }
        do {
            exit(try run(options))
        } catch {
            FileHandle.standardError.write(Data("vigil-bench-crypto: \(error)\n".utf8))
            exit(2)
        }
    }

    static func run(_ options: Options) throws -> Int32 {
        let fixture = try Fixture()
        let system = SystemInfo()
        var best = Results()
        let progress = FileHandle.standardError

        // Openssl and Vigil alternate, round after round (openssl first in odd rounds, Vigil first in
        // even ones), so that a busy spell on the machine hits both sides alike. Each rate keeps its
        // best round; each ratio is the median of the ratios within a round (paired measurements).
        for round in 1...options.rounds {
            var roundFigures: [String: Double] = [:]
            func measureOpenSSL() throws {
                progress.write(Data("round \(round)/\(options.rounds): openssl speed -seconds \(options.opensslSeconds) ed25519 …\n".utf8))
                let openssl = try OpenSSLSpeed.run(executable: options.openssl, seconds: options.opensslSeconds,
                                                   wallClock: options.wallClock)
                roundFigures["openssl_sign_per_s"] = openssl.sign
                roundFigures["openssl_verify_per_s"] = openssl.verify
                best.opensslVersion = openssl.version
            }
            func measureVigil() {
                progress.write(Data("round \(round)/\(options.rounds): Vigil sign and verify, \(fixture.smallMessage.count)-byte message …\n".utf8))
                for (name, body) in fixture.crypto {
                    let m = Measure.rate(seconds: options.seconds, body)
                    roundFigures[name] = m.perSecond(wallClock: options.wallClock)
                    best.noteCPUShare(m.cpuShare)
                }
            }
            if round % 2 == 1 { try measureOpenSSL(); measureVigil() } else { measureVigil(); try measureOpenSSL() }
            for (name, value) in roundFigures { best.keepBest(name, value) }
            best.addRound(roundFigures)
        }
        progress.write(Data("Vigil sign and verify of a \(fixture.entry.canonicalBytes.count)-byte entry, entry codec …\n".utf8))
        for (name, body) in fixture.entryWork {
            let m = Measure.rate(seconds: options.seconds, body)
            best.keepBest(name, m.perSecond(wallClock: options.wallClock))
            best.noteCPUShare(m.cpuShare)
        }
        try fixture.checkSink()

        let report = Report(results: best, fixture: fixture, system: system, options: options)
        print(report.table())
        if options.json { print(report.json()) }
        return report.passed ? 0 : 1
    }
}

// MARK: - Options

struct Options {
    var json = false
    var wallClock = false
    var help = false
    var seconds = 2.0
    var rounds = 5
    var openssl = "openssl"
    var opensslSeconds = 3

    struct UsageError: Error, CustomStringConvertible { let description: String }

    init() {}

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ flag: String) throws -> String {
            guard let v = rest.popFirst() else { throw UsageError(description: "\(flag) needs a value") }
            return v
        }
        while let arg = rest.popFirst() {
            switch arg {
            case "--json": json = true
            case "--wall": wallClock = true
            case "-h", "--help": help = true
            case "--seconds":
                guard let s = Double(try value(arg)), s > 0, s <= 60 else { throw UsageError(description: "--seconds must be a number of seconds in (0, 60]") }
                seconds = s
            case "--rounds":
                guard let n = Int(try value(arg)), (1...20).contains(n) else { throw UsageError(description: "--rounds must be 1…20") }
                rounds = n
            case "--openssl": openssl = try value(arg)
            case "--openssl-seconds":
                guard let n = Int(try value(arg)), (1...60).contains(n) else { throw UsageError(description: "--openssl-seconds must be 1…60") }
                opensslSeconds = n
            default: throw UsageError(description: "unknown argument \(arg)")
            }
        }
    }
}

// MARK: - What is measured

/// The keys, messages and entries measured, and a sink that keeps the optimiser from dropping work.
final class Fixture {
    let key: SigningKey
    let publicKey: PublicKey
    /// With the 15-byte domain prefix `vigil/v1/entry\0`, Ed25519 signs exactly 20 bytes, the message
    /// size of `openssl speed`: the ratio compares the same amount of hashing.
    let smallMessage: [UInt8] = Array("12345".utf8)
    let smallSignature: [UInt8]
    /// One reused verification context, as `openssl speed` uses.
    let verifier: SignatureVerifier
    /// A typical entry of 300 bytes: a message to two roles and one organisation, with one ref.
    let entry: Entry
    let draft: EntryDraft
    var sink = 0
    var failures = 0

    init() throws {
        key = try SigningKey(seed: SecureBytes([UInt8](repeating: 0x5a, count: 32)))
        publicKey = key.publicKey
        precondition(SignatureDomain.entry.prefix.count + smallMessage.count == 20)
        smallSignature = try key.signature(for: smallMessage, in: .entry)
        verifier = try SignatureVerifier(publicKey: key.publicKey)

        let author = NodeID(key.publicKey)
        func makeDraft(bodyCount: Int) -> EntryDraft {
            EntryDraft(author: author,
                       timestamp: HybridTimestamp(milliseconds: 1_764_000_000_000, counter: 3), kind: .message,
                       audience: Audience(tlp: .amber, roles: ["authority", "police"], organisations: ["CERT-EU"]),
                       refs: [EntryID([UInt8](repeating: 0xab, count: 32))!],
                       body: (0..<bodyCount).map { UInt8(ascii: "a") + UInt8($0 % 26) })
        }
        let signer = key
        let probe = try makeDraft(bodyCount: 200).signed(by: signer)
        draft = makeDraft(bodyCount: 200 - (probe.canonicalBytes.count - 300))
        entry = try draft.signed(by: signer)
        precondition(entry.canonicalBytes.count == 300)
    }

    /// The figures compared with openssl, measured every round.
    var crypto: [(String, () -> Void)] {
        [
            ("vigil_sign_per_s", { [self] in
                sink &+= Int((try? key.signature(for: smallMessage, in: .entry))?.first ?? 0)
            }),
            ("vigil_verify_per_s", { [self] in
                if publicKey.isValidSignature(smallSignature, for: smallMessage, in: .entry) { sink &+= 1 } else { failures += 1 }
            }),
            ("vigil_verifier_verify_per_s", { [self] in
                if verifier.isValidSignature(smallSignature, for: smallMessage, in: .entry) { sink &+= 1 } else { failures += 1 }
            }),
        ]
    }

    /// The entry-sized figures and the codec, measured once.
    var entryWork: [(String, () -> Void)] {
        let bytes = entry.canonicalBytes
        let signed = Array(entry.signedBytes)
        return [
            ("vigil_sign_entry_per_s", { [self] in
                sink &+= Int((try? key.signature(for: signed, in: .entry))?.first ?? 0)
            }),
            ("vigil_verify_entry_per_s", { [self] in
                if publicKey.isValidSignature(entry.signature, for: signed, in: .entry) { sink &+= 1 } else { failures += 1 }
            }),
            ("encode_per_s", { [self] in
                sink &+= (try? draft.signedBytes())?.count ?? { failures += 1; return 0 }()
            }),
            ("decode_per_s", { [self] in
                sink &+= (try? Entry(canonicalBytes: bytes))?.body.count ?? { failures += 1; return 0 }()
            }),
            ("decode_validate_per_s", { [self] in
                sink &+= (try? EntryValidator.decodeAndValidate(bytes))?.body.count ?? { failures += 1; return 0 }()
            }),
        ]
    }

    /// Every verify and decode in the loops must have succeeded.
    func checkSink() throws {
        struct BenchFailure: Error, CustomStringConvertible { let description: String }
        if failures > 0 { throw BenchFailure(description: "\(failures) operations failed during the measurement (a valid signature did not verify, or a valid entry did not decode)") }
    }
}

/// Calls `body` for a fixed time on the monotonic clock and counts the calls.
///
/// Like `openssl speed`, which stops on a real-time alarm and by default divides by the CPU time it
/// used, the rate is per second of this thread's CPU time unless `--wall` asks for wall-clock time:
/// on a shared machine the CPU-time rate does not count the time other processes held the core.
enum Measure {
    struct Result {
        var operations: Int
        /// Wall-clock (monotonic) seconds.
        var seconds: Double
        /// CPU seconds of this thread over the same stretch.
        var cpuSeconds: Double
        /// CPU time of this thread over wall time: below ~0.9 another process shared the core.
        var cpuShare: Double { cpuSeconds / seconds }
        func perSecond(wallClock: Bool) -> Double { Double(operations) / (wallClock ? seconds : cpuSeconds) }
    }

    static func now(_ clock: clockid_t) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func rate(seconds: Double, _ body: () -> Void) -> Result {
        // Warm up (caches, lazily fetched OpenSSL algorithms) and size a batch to about 5 ms, so the
        // clock is read rarely.
        let warmStart = now(CLOCK_MONOTONIC)
        var warm = 0
        while now(CLOCK_MONOTONIC) - warmStart < min(0.2, seconds / 4) { body(); warm += 1 }
        let batch = max(1, Int(Double(warm) / (now(CLOCK_MONOTONIC) - warmStart) * 0.005))

        var operations = 0
        let cpuStart = now(CLOCK_THREAD_CPUTIME_ID)
        let start = now(CLOCK_MONOTONIC)
        var elapsed = 0.0
        repeat {
            for _ in 0..<batch { body() }
            operations += batch
            elapsed = now(CLOCK_MONOTONIC) - start
        } while elapsed < seconds
        let cpu = now(CLOCK_THREAD_CPUTIME_ID) - cpuStart
        return Result(operations: operations, seconds: elapsed, cpuSeconds: cpu)
    }
}

// MARK: - openssl speed: VigilBenchSupport.OpenSSLSpeed, shared by every benchmark

// MARK: - Results and the report

struct Results {
    var figures: [String: Double] = [:]
    var opensslVersion = "?"
    var lowestCPUShare = 1.0

    mutating func keepBest(_ name: String, _ value: Double) {
        figures[name] = max(figures[name] ?? 0, value)
    }

    mutating func noteCPUShare(_ share: Double) { lowestCPUShare = min(lowestCPUShare, share) }

    /// Per-round ratios, in round order.
    var verifyRatios: [Double] = []
    var verifierRatios: [Double] = []
    var signRatios: [Double] = []

    mutating func addRound(_ f: [String: Double]) {
        func ratio(_ a: String, _ b: String) -> Double { (f[a] ?? 0) / max(f[b] ?? 0, 1) }
        verifyRatios.append(ratio("vigil_verify_per_s", "openssl_verify_per_s"))
        verifierRatios.append(ratio("vigil_verifier_verify_per_s", "openssl_verify_per_s"))
        signRatios.append(ratio("vigil_sign_per_s", "openssl_sign_per_s"))
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let s = values.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    subscript(_ name: String) -> Double { figures[name] ?? 0 }
}

struct SystemInfo {
    var cpu = "?"
    var cpusAllowed = "?"

    init() {
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) {
            cpusAllowed = line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces)
        }
    }
}

struct Report {
    let results: Results
    let fixture: Fixture
    let system: SystemInfo
    let options: Options

    var verifyRatio: Double { Results.median(results.verifyRatios) }
    var verifierRatio: Double { Results.median(results.verifierRatios) }
    var signRatio: Double { Results.median(results.signRatios) }
    var passed: Bool { verifyRatio >= BenchCrypto.verifyTarget }

    func table() -> String {
        func rate(_ v: Double) -> String { String(format: "%12.1f /s   %8.2f µs", v, v > 0 ? 1e6 / v : 0) }
        let small = fixture.smallMessage.count
        let rows: [(String, String)] = [
            ("openssl speed ed25519 sign (20-byte message)", "openssl_sign_per_s"),
            ("openssl speed ed25519 verify (20-byte message)", "openssl_verify_per_s"),
            ("Vigil SigningKey.signature (\(small) B + 15 B domain = 20 B)", "vigil_sign_per_s"),
            ("Vigil PublicKey.isValidSignature (20 B)", "vigil_verify_per_s"),
            ("Vigil SignatureVerifier.isValidSignature (20 B)", "vigil_verifier_verify_per_s"),
            ("Vigil sign, \(fixture.entry.canonicalBytes.count)-byte entry", "vigil_sign_entry_per_s"),
            ("Vigil verify, \(fixture.entry.canonicalBytes.count)-byte entry", "vigil_verify_entry_per_s"),
            ("entry encode (EntryDraft.signedBytes)", "encode_per_s"),
            ("entry decode (Entry(canonicalBytes:))", "decode_per_s"),
            ("entry decode + validate (EntryValidator)", "decode_validate_per_s"),
        ]
        var out = """
            vigil-bench-crypto — \(system.cpu); CPUs allowed: \(system.cpusAllowed); \(results.opensslVersion)
            \(options.rounds) alternating rounds, best round of each rate: openssl speed -seconds \(options.opensslSeconds)\(options.wallClock ? " -elapsed" : ""); Vigil \(options.seconds) s per figure on the monotonic clock
            rates per second of \(options.wallClock ? "wall-clock time (both sides)" : "CPU time (both sides, as openssl speed counts by default)")

            """
        for (label, key) in rows {
            out += label.padding(toLength: 62, withPad: " ", startingAt: 0) + rate(results[key]) + "\n"
        }
        out += "\n"
        func spread(_ values: [Double]) -> String {
            values.map { String(format: "%.3f", $0) }.joined(separator: " ")
        }
        out += "ratios: median over the rounds of (Vigil / openssl in the same round); each round's ratio in brackets\n"
        out += String(format: "vigil verify / openssl verify   %.3f   (target ≥ %.2f)   %@   [%@]\n",
                      verifyRatio, BenchCrypto.verifyTarget, passed ? "PASS" : "FAIL", spread(results.verifyRatios))
        out += String(format: "vigil verifier / openssl verify %.3f   [%@]   (SignatureVerifier, one reused context)\n",
                      verifierRatio, spread(results.verifierRatios))
        out += String(format: "vigil sign / openssl sign       %.3f   [%@]\n", signRatio, spread(results.signRatios))
        if results.lowestCPUShare < 0.9 {
            out += String(format: "note: in some Vigil measurements this thread got only %.0f%% of the core (other processes were running); figures are noisy.\n",
                          results.lowestCPUShare * 100)
        }
        return out
    }

    func json() -> String {
        var object: [String: Any] = results.figures.mapValues { ($0 * 10).rounded() / 10 }
        object["verify_ratio"] = (verifyRatio * 1000).rounded() / 1000
        object["verifier_verify_ratio"] = (verifierRatio * 1000).rounded() / 1000
        object["sign_ratio"] = (signRatio * 1000).rounded() / 1000
        object["verify_ratio_rounds"] = results.verifyRatios.map { ($0 * 1000).rounded() / 1000 }
        object["verifier_verify_ratio_rounds"] = results.verifierRatios.map { ($0 * 1000).rounded() / 1000 }
        object["sign_ratio_rounds"] = results.signRatios.map { ($0 * 1000).rounded() / 1000 }
        object["verify_ratio_target"] = BenchCrypto.verifyTarget
        object["pass"] = passed
        object["small_message_bytes"] = SignatureDomain.entry.prefix.count + fixture.smallMessage.count
        object["entry_bytes"] = fixture.entry.canonicalBytes.count
        object["rounds"] = options.rounds
        object["seconds_per_figure"] = options.seconds
        object["openssl_seconds"] = options.opensslSeconds
        object["rate_basis"] = options.wallClock ? "wall" : "cpu"
        object["openssl_version"] = results.opensslVersion
        object["cpu"] = system.cpu
        object["cpus_allowed"] = system.cpusAllowed
        object["lowest_cpu_share"] = (results.lowestCPUShare * 1000).rounded() / 1000
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
