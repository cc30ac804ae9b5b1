/// Requests, tokens and dollars per caller and UTC day over the last month: what `/admin/usage` and the dashboard
/// show. Kept in memory as requests end, so serving it never re-reads the ledger.
public struct UsageHistory: Sendable, Equatable {
    /// One caller's totals on one day.
    public struct Totals: Sendable, Equatable {
        public var requests = 0
        public var tokens = 0
        public var cost = USDAmount.zero

        mutating func add(_ other: Totals) {
            requests += other.requests
            tokens = min(tokens + other.tokens, Int.max / 2)
            cost += other.cost
        }
    }

    /// Days shown.
    public static let days = 31
    /// Caller → day ("YYYY-MM-DD") → totals.
    private var totals: [String: [String: Totals]] = [:]

    public init() {}

    /// Counts one ledger record (any outcome: a refusal is a request too) on the day of its timestamp.
    public mutating func add(_ record: UsageRecord) {
        let day = String(record.timestamp.prefix(10))
        guard day.count == 10 else { return }
        // Changed in place: copying a caller's table out and back would copy it on every request.
        totals[record.client, default: [:]][day, default: Totals()].add(
            Totals(requests: 1, tokens: record.budgetTokens, cost: record.budgetCost))
        // Twice the days shown at most, trimmed to the newest when exceeded: memory stays bounded however long the
        // process runs.
        if let byDay = totals[record.client], byDay.count > 2 * Self.days {
            for old in byDay.keys.sorted().prefix(byDay.count - Self.days) { totals[record.client]?[old] = nil }
        }
    }

    /// Adds another history's counts (the ledger's, read after start-up began counting live requests).
    public mutating func merge(_ other: UsageHistory) {
        for (caller, byDay) in other.totals {
            for (day, dayTotals) in byDay { totals[caller, default: [:]][day, default: Totals()].add(dayTotals) }
        }
    }

    /// Each caller's dollars on the days of `month` ("YYYY-MM") before `day`.
    public func cost(inMonth month: String, before day: String) -> [String: USDAmount] {
        var result: [String: USDAmount] = [:]
        for (caller, byDay) in totals {
            for (date, dayTotals) in byDay where date.hasPrefix(month) && date < day && dayTotals.cost > .zero {
                result[caller, default: .zero] += dayTotals.cost
            }
        }
        return result
    }

    /// Every caller with any counts.
    public var callers: [String] { totals.keys.sorted() }

    /// `caller`'s totals on `day` (zero when none).
    public func totals(of caller: String, on day: String) -> Totals {
        totals[caller]?[day] ?? Totals()
    }

    /// The ledger's records from `firstDay` on, read backwards from byte `end` (where this process began appending),
    /// so they add to what was counted live without counting anything twice.
    public static func read(path: String, endingAt end: Int, firstDay: String) -> UsageHistory {
        var history = UsageHistory()
        LedgerReader.forEachLine(since: firstDay, path: path, endingAt: end) { line in
            if let record = UsageRecord(jsonLine: line), record.timestamp >= firstDay { history.add(record) }
        }
        return history
    }
}
