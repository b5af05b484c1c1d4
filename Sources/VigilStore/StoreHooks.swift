/// Observation points for tests. Called with the store's monitor held: they must not call the store.
struct StoreHooks: Sendable {
    /// After a request joins the queue, with the number of requests now waiting for the writer.
    var requestQueued: (@Sendable (Int) -> Void)?
}
