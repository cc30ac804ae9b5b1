/// What start-up restores from the usage ledger, so a restart hands out no fresh budget: today's totals per member.
///
/// Read backwards from the end of the file and only as far as today reaches, so start-up time and memory do not
/// grow with the ledger (a team's ledger grows by ~100 MB a month).
public struct LedgerTotals: Sendable, Equatable {
    /// The UTC day totalled, "YYYY-MM-DD".
    public var day: String
    /// Tokens charged per member (ledger `client`) on `day`.
    public var tokensByClient: [String: Int] = [:]
    /// The largest prompt seen per member and client-facing model on `day` (`LearnedPrompts`), so reservations
    /// start from experience.
    public var largestPrompts = LearnedPrompts()
    /// Lines read.
    public var linesRead = 0

    public init(day: String) {
        self.day = day
    }

    /// Totals `day` in the ledger at `path` (an unreadable or missing file gives empty totals).
    public static func read(path: String, day: String) -> LedgerTotals {
        var totals = LedgerTotals(day: day)
        var earlierInARow = 0
        _ = LedgerReader.forEachLineBackwards(path: path) { line in
            // Lines are appended in time order, give or take a few milliseconds between loops (a record stamped
            // 23:59:59.999 can follow one stamped 00:00:00.001): today ends after a run of earlier lines.
            if let lineDay = UsageRecord.day(ofLine: line), lineDay < day {
                earlierInARow += 1
                return earlierInARow < Self.earlierLinesThatEndToday
            }
            earlierInARow = 0
            totals.linesRead += 1
            guard let record = UsageRecord(jsonLine: line), record.timestamp.hasPrefix(day) else { return true }
            totals.add(record)
            return true
        }
        return totals
    }

    /// Consecutive lines from an earlier day after which reading stops.
    static let earlierLinesThatEndToday = 64

    mutating func add(_ record: UsageRecord) {
        tokensByClient[record.client] = min(tokensByClient[record.client, default: 0] + record.budgetTokens, Int.max / 2)
        largestPrompts.observe(member: record.client, model: record.model, promptTokens: record.promptTokens)
    }
}
