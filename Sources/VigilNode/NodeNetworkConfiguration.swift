import VigilCrypto
import VigilNet

extension Node {
    /// The network loop's settings for peer sessions: small buffers below each peer's `OutboundQueue`,
    /// so that on a slow or saturated link the frames wait there, where the priority lanes still order
    /// them, instead of in the loop or the kernel, where an urgent frame would queue behind the whole
    /// backlog (docs/sync-protocol.md, "Priority lanes"). At most about 8 KiB of queued frames, one
    /// encrypted chunk (≤ 16 KiB) and 8 KiB unsent in the kernel lie ahead of a frame the queue releases:
    /// about a second at 256 kbit/s. On a fast link the loop just refills more often.
    static func networkConfiguration(tls: TLSContext) -> NetworkConfiguration {
        var configuration = NetworkConfiguration(tls: tls)
        configuration.sendQueueLimit = 64 * 1024
        configuration.sendQueueLowWater = 8 * 1024
        configuration.ciphertextHighWater = 4 * 1024
        configuration.unsentLowWater = 8 * 1024
        return configuration
    }
}
