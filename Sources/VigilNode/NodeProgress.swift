import Foundation
import VigilSync

/// Catch-up progress for people: a line every 2 s while peers owe this node entries (loop thread).
extension Node {
    /// Catch-up progress: while peers owe this node entries, a line every 2 s with what arrived, what is
    /// still owed, and the rate; one line when it is done.
    func reportProgress() {
        let t = now()
        guard t >= progress.lastReport + 2_000 else { return }
        let behind = core.peerStatus.values.reduce(0) { $0 + $1.behind }
        let held = core.heldCount
        defer { progress.lastReport = t; progress.lastHeld = held }
        if behind > 0 {
            if !progress.active { progress = Progress(active: true, startHeld: progress.lastHeld, started: progress.lastReport, lastReport: progress.lastReport, lastHeld: progress.lastHeld) }
            let rate = Double(held - progress.lastHeld) / (Double(t - progress.lastReport) / 1000)
            let line = "catching up: \(held - progress.startHeld) entries received, \(behind) still owed by peers, \(Int(rate)) entries/s"
            log.event(.info, "catch-up", ["received": "\(held - progress.startHeld)", "owed": "\(behind)", "rate": "\(Int(rate))"])
            options.progressSink?(line)
        } else if progress.active {
            let seconds = Double(t - progress.started) / 1000
            let line = String(format: "caught up: %d entries received in %.1f s; %d held", held - progress.startHeld, seconds, held)
            log.event(.info, "caught-up", ["received": "\(held - progress.startHeld)", "seconds": String(format: "%.1f", seconds)])
            options.progressSink?(line)
            progress.active = false
        }
    }

    struct Progress {
        var active = false
        var startHeld = 0
        var started: UInt64 = 0
        var lastReport: UInt64 = 0
        var lastHeld = 0
    }
}
