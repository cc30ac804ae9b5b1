/// One spender's dollar budget accounts: the UTC day's and the UTC month's, each held by reservation. Amounts are
/// nanodollars.
struct DollarAccounts: Sendable, Equatable {
    private(set) var day = BudgetAccount()
    private(set) var month = BudgetAccount()

    /// Whose budget a refusal names.
    enum Spender {
        case member(String)
        case proxy
    }

    mutating func enter(_ clock: UTCClock) {
        day.enter(clock.day)
        month.enter(clock.month)
    }

    /// The 429 for a request whose worst case `estimate` does not fit `budget`, or nil when it fits.
    func refusal(of estimate: USDAmount, under budget: DollarBudget, clock: UTCClock, who: Spender) -> OpenAIError? {
        if let limit = budget.perDay, !day.admits(estimate.nanos, limit: limit.nanos) {
            return LimitRefusal.dollars(
                who, period: .day, limit: limit, estimate: estimate, account: day, resetsInSeconds: clock.secondsToDayEnd)
        }
        if let limit = budget.perMonth, !month.admits(estimate.nanos, limit: limit.nanos) {
            return LimitRefusal.dollars(
                who, period: .month, limit: limit, estimate: estimate, account: month, resetsInSeconds: clock.secondsToMonthEnd)
        }
        return nil
    }

    mutating func reserve(_ amount: USDAmount) {
        day.reserve(amount.nanos)
        month.reserve(amount.nanos)
    }

    mutating func settle(reserved: USDAmount, cost: USDAmount) {
        day.settle(reserved: reserved.nanos, cost: cost.nanos)
        month.settle(reserved: reserved.nanos, cost: cost.nanos)
    }

    /// Adds spending recorded elsewhere (the ledger, at start-up).
    mutating func add(today: USDAmount, month monthAmount: USDAmount) {
        day.add(spent: today.nanos)
        month.add(spent: monthAmount.nanos)
    }

    func describe(into standing: inout UsageLimiter.Standing) {
        standing.costToday = USDAmount(nanos: day.spent)
        standing.costMonth = USDAmount(nanos: month.spent)
        standing.costReservedToday = USDAmount(nanos: day.reserved)
        standing.costReservedMonth = USDAmount(nanos: month.reserved)
    }
}
