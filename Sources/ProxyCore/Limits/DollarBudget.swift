/// US-dollar limits per UTC day and per UTC calendar month: a member's `usd_per_day` / `usd_per_month`, or the
/// whole proxy's `budget`. A nil limit is no limit.
public struct DollarBudget: Sendable, Equatable {
    public var perDay: USDAmount?
    public var perMonth: USDAmount?

    public init(perDay: USDAmount? = nil, perMonth: USDAmount? = nil) {
        self.perDay = perDay
        self.perMonth = perMonth
    }

    /// Whether any limit is set.
    public var isLimited: Bool { perDay != nil || perMonth != nil }
}
