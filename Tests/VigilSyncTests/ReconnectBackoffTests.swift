import Testing
@testable import VigilSync
import VigilModel

typealias SeededGenerator = SeededRandom

@Suite("Reconnect backoff")
struct ReconnectBackoffTests {
    @Test("each delay lies in the upper half of a ceiling that doubles from the initial delay")
    func bounds() {
        var backoff = ReconnectBackoff(initial: .milliseconds(500))
        var random = SeededGenerator(seed: 1)
        for attempt in 0..<7 {
            let ceiling = Duration.milliseconds(500 * (1 << attempt))
            #expect(backoff.currentCeiling == ceiling)
            let delay = backoff.nextDelay(using: &random)
            #expect(delay >= ceiling / 2 && delay <= ceiling, "attempt \(attempt): \(delay) outside \(ceiling / 2)…\(ceiling)")
        }
        #expect(backoff.attempt == 7)
    }

    @Test("delays are capped at 60 s, even after very many attempts and with a larger maximum asked for")
    func cap() {
        var backoff = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(600))
        #expect(backoff.maximum == .seconds(60))
        var random = SeededGenerator(seed: 2)
        var delays: [Duration] = []
        for _ in 0..<200 { delays.append(backoff.nextDelay(using: &random)) }
        #expect(delays.allSatisfy { $0 <= .seconds(60) && $0 > .zero })
        #expect(delays.suffix(100).allSatisfy { $0 >= .seconds(30) })
        #expect(backoff.currentCeiling == .seconds(60))
        var smaller = ReconnectBackoff(initial: .milliseconds(100), maximum: .seconds(5))
        for _ in 0..<50 { #expect(smaller.nextDelay(using: &random) <= .seconds(5)) }
    }

    @Test("the same seed gives the same delays; another seed gives others")
    func determinism() {
        func run(seed: UInt64) -> [Duration] {
            var backoff = ReconnectBackoff()
            var random = SeededGenerator(seed: seed)
            return (0..<20).map { _ in backoff.nextDelay(using: &random) }
        }
        #expect(run(seed: 42) == run(seed: 42))
        #expect(run(seed: 42) != run(seed: 43))
    }

    @Test("the jitter spreads the delays over the whole interval")
    func jitterSpreads() {
        var random = SeededGenerator(seed: 7)
        let delays = (0..<1_000).map { _ -> Duration in
            var backoff = ReconnectBackoff(initial: .seconds(8))
            return backoff.nextDelay(using: &random)
        }
        #expect(delays.min()! < .milliseconds(4_400) && delays.max()! > .milliseconds(7_600))
        #expect(Set(delays).count > 500)
    }

    @Test("reset starts over at the initial delay")
    func reset() {
        var backoff = ReconnectBackoff(initial: .milliseconds(200))
        var random = SeededGenerator(seed: 3)
        for _ in 0..<10 { _ = backoff.nextDelay(using: &random) }
        #expect(backoff.currentCeiling == .seconds(60))
        backoff.reset()
        #expect(backoff.attempt == 0 && backoff.currentCeiling == .milliseconds(200))
        #expect(backoff.nextDelay(using: &random) <= .milliseconds(200))
    }
}
