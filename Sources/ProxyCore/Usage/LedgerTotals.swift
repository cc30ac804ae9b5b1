/// What start-up restores from the usage ledger, so a restart hands out no fresh budget: the current day's (and,
/// when a monthly budget needs it, the current month's) totals per caller and for the whole proxy, and what was
/// learned about prompt sizes and costs.
///
/// Read backwards from the end of the file and only as far as the periods reach, so start-up time and memory do
/// not grow with the ledger (a team's ledger grows by ~100 MB a month).
public struct LedgerTotals: Sendable, Equatable {
    /// The periods totalled.
    public var clock: UTCClock
    /// Tokens charged per caller (ledger `client`) today.
    public var tokensToday: [String: Int] = [:]
    /// Dollars charged per caller today, and this month (as far as it was read: without `month`, today only).
    public var costToday: [String: USDAmount] = [:]
    public var costMonth: [String: USDAmount] = [:]
    /// Dollars charged to the whole proxy today and this month.
    public var teamCostToday = USDAmount.zero
    public var teamCostMonth = USDAmount.zero
    /// The largest prompt seen per member and client-facing model today (`LearnedPrompts`), so reservations
    /// start from experience.
    public var largestPrompts = LearnedPrompts()
    /// The costs of the most recent requests per model in the periods read.
    public var learnedCosts = LearnedCosts()
    /// Lines read.
    public var linesRead = 0

    public init(clock: UTCClock) {
        self.clock = clock
    }

    /// Totals the current periods in the ledger at `path` (an unreadable or missing file gives empty totals).
    /// `month`: read back to the first of the month (a monthly budget is configured), else to today only.
    public static func read(path: String, clock: UTCClock, month: Bool) -> LedgerTotals {
        var totals = LedgerTotals(clock: clock)
        let since = month ? clock.month + "-01" : clock.day
        var newestFirstCosts: [String: [USDAmount]] = [:]
        LedgerReader.forEachLine(since: since, path: path) { line in
            totals.linesRead += 1
            guard let record = UsageRecord(jsonLine: line), record.timestamp >= since else { return }
            totals.add(record)
            if let cost = record.costUSD.flatMap(USDAmount.init(reportedCost:)), cost > .zero,
                newestFirstCosts[record.model, default: []].count < LearnedCosts.window
            {
                newestFirstCosts[record.model, default: []].append(cost)
            }
        }
        for (model, costs) in newestFirstCosts {
            for cost in costs.reversed() { totals.learnedCosts.observe(model: model, cost: cost) }
        }
        return totals
    }

    mutating func add(_ record: UsageRecord) {
        let cost = record.budgetCost
        if record.timestamp.hasPrefix(clock.day) {
            tokensToday[record.client] = min(tokensToday[record.client, default: 0] + record.budgetTokens, Int.max / 2)
            largestPrompts.observe(member: record.client, model: record.model, promptTokens: record.promptTokens)
            costToday[record.client, default: .zero] += cost
            teamCostToday += cost
        }
        if record.timestamp.hasPrefix(clock.month) {
            costMonth[record.client, default: .zero] += cost
            teamCostMonth += cost
        }
    }
}
