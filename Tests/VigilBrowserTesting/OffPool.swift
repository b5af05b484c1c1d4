import Foundation

/// Runs `body` on a new thread, not on the cooperative pool, and waits for it without blocking the pool.
///
/// Browser and node-process tests block for seconds at a time (WebDriver calls, waiting for other
/// processes). Run on the pool, a few of them in parallel occupy all of its threads (two on this
/// machine), and every other test's tasks — a desk server's event stream among them — wait until they
/// end. Each such test runs its blocking body through this instead.
public func offPool(_ body: @escaping @Sendable () throws -> Void) async throws {
    try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
        Thread {
            do {
                try body()
                continuation.resume()
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}
