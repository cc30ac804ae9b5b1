/// What start-up restores from the usage ledger, so a restart hands out no fresh budget: today's totals per member.
///
/// Read backwards from the end of the file and only as far as today reaches, so start-up time and memory do not
/// grow with the ledger (a team's ledger grows by ~100 MB a month).
public struct LedgerTotals: Sendable, Equatable {
    /// The UTC day totalled, "YYYY-MM-DD".
    public var day: String
    /// Tokens per member (ledger `client`) on `day`.
    public var tokensByClient: [String: Int] = [:]
    /// The largest prompt seen per client-facing model on `day`, so reservations start from experience.
    public var largestPromptByModel: [String: Int] = [:]
    /// Lines read.
    public var linesRead = 0

    public init(day: String) {
        self.day = day
    }

    /// Totals `day` in the ledger at `path` (an unreadable or missing file gives empty totals).
    public static func read(path: String, day: String) -> LedgerTotals {
        var totals = LedgerTotals(day: day)
        _ = LedgerReader.forEachLineBackwards(path: path) { line in
            // Lines are appended in time order (give or take a few milliseconds between loops): the first line
            // of an earlier day ends today.
            if let lineDay = UsageRecord.day(ofLine: line), lineDay < day { return false }
            totals.linesRead += 1
            guard let record = UsageRecord(jsonLine: line), record.timestamp.hasPrefix(day) else { return true }
            totals.add(record)
            return true
        }
        return totals
    }

    mutating func add(_ record: UsageRecord) {
        tokensByClient[record.client, default: 0] += record.totalTokens
        if record.promptTokens > largestPromptByModel[record.model, default: 0] {
            largestPromptByModel[record.model] = record.promptTokens
        }
    }
}
