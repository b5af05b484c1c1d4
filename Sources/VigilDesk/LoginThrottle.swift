/// Growing delays after failed logins, per officer name and per client address: a pure core with
/// time as input.
///
/// After the n-th failure in a row the next attempt for that name (or from that address) must wait
/// `base · 2^(n-1)`, at most `maxDelay`. The wait is the longer of the two. A success clears both
/// counters; a record quiet for `forgetAfter` is dropped; at most `maxRecords` are kept (the oldest go).
public struct LoginThrottle: Sendable {
    /// The throttle's tuning.
    public struct Settings: Equatable, Sendable {
        /// The delay after the first failure.
        public var base: Duration
        /// The longest delay.
        public var maxDelay: Duration
        /// A record without failures for this long is forgotten.
        public var forgetAfter: Duration
        /// The most records kept per table.
        public var maxRecords: Int

        /// Settings; `.desk` is the default.
        public init(base: Duration, maxDelay: Duration, forgetAfter: Duration, maxRecords: Int) {
            self.base = base
            self.maxDelay = maxDelay
            self.forgetAfter = forgetAfter
            self.maxRecords = maxRecords
        }

        /// 1 s, doubling to at most 5 minutes; forgotten after an hour; 10,000 names and addresses.
        public static let desk = Settings(base: .seconds(1), maxDelay: .seconds(300), forgetAfter: .seconds(3600), maxRecords: 10_000)
    }

    /// Whether a login attempt may be checked now.
    public enum Gate: Equatable, Sendable {
        /// Check the password.
        case allowed
        /// Refuse without checking (429), and say how long to wait.
        case wait(Duration)
    }

    private struct Record: Sendable {
        var failures: Int
        var lastFailure: Duration
    }

    /// The tuning in force.
    public let settings: Settings
    private var byOfficer: [String: Record] = [:]
    private var byAddress: [String: Record] = [:]

    /// No failures recorded.
    public init(settings: Settings = .desk) {
        self.settings = settings
    }

    /// Whether `officer` may try to log in from `address` at `now`.
    public func gate(officer: String, address: String, now: Duration) -> Gate {
        let until = max(unblocked(byOfficer[officer]), unblocked(byAddress[address]))
        return now < until ? .wait(until - now) : .allowed
    }

    /// A wrong password (or unknown name) for `officer` from `address` at `now`.
    public mutating func recordFailure(officer: String, address: String, now: Duration) {
        Self.bump(&byOfficer, officer, now: now, settings: settings)
        Self.bump(&byAddress, address, now: now, settings: settings)
    }

    /// A successful login: both counters start again.
    public mutating func recordSuccess(officer: String, address: String) {
        byOfficer[officer] = nil
        byAddress[address] = nil
    }

    /// The delay after `failures` failures in a row.
    public func delay(afterFailures failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let doublings = min(failures - 1, 20)
        return min(settings.base * (1 << doublings), settings.maxDelay)
    }

    private func unblocked(_ record: Record?) -> Duration {
        guard let record else { return .zero }
        return record.lastFailure + delay(afterFailures: record.failures)
    }

    private static func bump(_ table: inout [String: Record], _ key: String, now: Duration, settings: Settings) {
        if var record = table[key], now - record.lastFailure < settings.forgetAfter {
            record.failures += 1
            record.lastFailure = now
            table[key] = record
            return
        }
        if table.count >= settings.maxRecords {
            table = table.filter { now - $0.value.lastFailure < settings.forgetAfter }
            if table.count >= settings.maxRecords, let oldest = table.min(by: { $0.value.lastFailure < $1.value.lastFailure }) {
                table[oldest.key] = nil
            }
        }
        table[key] = Record(failures: 1, lastFailure: now)
    }
}
