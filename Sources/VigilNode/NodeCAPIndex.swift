import VigilLog
import VigilModel

extension Node {
    /// Indexes an alert holding a CAP message: every held alert that its `<references>` name (directly or
    /// through other CAP messages), or that names it, gets the other as a referrer, so that `show` hands
    /// the CAP Updates and Cancels of an alert to the log, which applies them (`SharedLog`,
    /// `CAPRelationIndex`). References to alerts not held yet are linked when those arrive. Loop thread.
    func indexCAPReferences(_ entry: Entry) {
        guard entry.kind == .alert, let fields = try? FieldMap(canonicalBytes: entry.body),
              let facts = AlertCAPFacts(alertBody: fields) else { return }
        for link in capReferences.insert(entry.id, facts: facts) {
            let targets = [link.target] + capReferences.allTargets(of: link.target)
            let sources = [link.referrer] + capReferences.allReferrers(of: link.referrer)
            for target in targets {
                for source in sources where !(referrerIndex[target] ?? []).contains(source) {
                    referrerIndex[target, default: []].append(source)
                }
            }
        }
    }
}
