/// The `GET /admin/usage` document: per member and in total, today's and this month's requests, tokens and dollars,
/// budgets and what is left of them, open streams, and the last 31 UTC days. Built from the counters the proxy
/// keeps (`UsageLimiter`, `UsageHistory`), never from the ledger.
enum AdminUsageReport {
    /// What the report is built from, taken under each lock once.
    struct Inputs {
        var config: ProxyConfig
        var standings: [String: UsageLimiter.Standing]
        var history: UsageHistory
        var historyIsComplete: Bool
        var clock: UTCClock
        /// The last 31 days, oldest first, ending today.
        var days: [String]
        var generatedAt: String
    }

    static func json(_ inputs: Inputs) -> [UInt8] {
        let configured = inputs.config.clients
        let configuredNames = Set(configured.map(\.name))
        let others = Set(inputs.history.callers).union(inputs.standings.keys).subtracting(configuredNames).subtracting([""])
        var members = configured.map { member(named: $0.name, config: $0, inputs) }
        members += others.sorted().map { member(named: $0, config: nil, inputs) }

        let total = inputs.standings[""] ?? UsageLimiter.Standing()
        let totalDays = inputs.days.map { day in
            inputs.history.callers.reduce(into: UsageHistory.Totals()) { sum, caller in
                sum.add(inputs.history.totals(of: caller, on: day))
            }
        }
        let budget = inputs.config.budget
        let document: JSONValue = .object([
            "object": .string("admin.usage"),
            "generated_at": .string(inputs.generatedAt),
            "day": .string(inputs.clock.day),
            "month": .string(inputs.clock.month),
            "seconds_to_day_reset": .number(inputs.clock.secondsToDayEnd),
            "seconds_to_month_reset": .number(inputs.clock.secondsToMonthEnd),
            "history_complete": .bool(inputs.historyIsComplete),
            "total": .object([
                "requests_today": .number(totalDays.last?.requests ?? 0),
                "tokens_today": .number(Int(total.tokensToday)),
                "cost_usd_today": dollars(total.costToday),
                "cost_usd_month": dollars(total.costMonth),
                "open_streams": .number(total.openStreams),
                "budget": .object(["usd_per_day": dollars(budget.perDay), "usd_per_month": dollars(budget.perMonth)]),
                "left": .object([
                    "usd_today": left(budget.perDay, spent: total.costToday, reserved: total.costReservedToday),
                    "usd_month": left(budget.perMonth, spent: total.costMonth, reserved: total.costReservedMonth),
                ]),
                "days": days(totalDays, inputs.days),
            ]),
            "members": .array(members),
        ])
        var out: [UInt8] = []
        document.append(to: &out)
        return out
    }

    private static func member(named name: String, config: ClientConfig?, _ inputs: Inputs) -> JSONValue {
        let standing = inputs.standings[name] ?? UsageLimiter.Standing()
        let perDay = inputs.days.map { inputs.history.totals(of: name, on: $0) }
        let dollarLimits = config?.dollars ?? DollarBudget()
        let tokenLimit = config?.tokensPerDay
        return .object([
            "name": .string(name),
            "configured": .bool(config != nil),
            "admin": .bool(config?.admin ?? false),
            "requests_today": .number(perDay.last?.requests ?? 0),
            "tokens_today": .number(Int(standing.tokensToday)),
            "cost_usd_today": dollars(standing.costToday),
            "cost_usd_month": dollars(standing.costMonth),
            "open_streams": .number(standing.openStreams),
            "budget": .object([
                "usd_per_day": dollars(dollarLimits.perDay), "usd_per_month": dollars(dollarLimits.perMonth),
                "tokens_per_day": tokenLimit.map { .number($0) } ?? .null,
            ]),
            "left": .object([
                "usd_today": left(dollarLimits.perDay, spent: standing.costToday, reserved: standing.costReservedToday),
                "usd_month": left(dollarLimits.perMonth, spent: standing.costMonth, reserved: standing.costReservedMonth),
                "tokens_today": tokenLimit.map {
                    .number(max(0, Int64($0) - standing.tokensToday - standing.tokensReserved).description)
                } ?? .null,
            ]),
            "days": days(perDay, inputs.days),
        ])
    }

    private static func days(_ totals: [UsageHistory.Totals], _ names: [String]) -> JSONValue {
        .array(
            zip(names, totals).map { day, totals in
                .object([
                    "day": .string(day), "requests": .number(totals.requests), "tokens": .number(totals.tokens),
                    "cost_usd": dollars(totals.cost),
                ])
            })
    }

    /// What is left under `limit` after what is spent and what running requests reserved; null without a limit.
    private static func left(_ limit: USDAmount?, spent: USDAmount, reserved: USDAmount) -> JSONValue {
        guard let limit else { return .null }
        return dollars(USDAmount(nanos: max(0, limit.nanos - spent.nanos - reserved.nanos)))
    }

    private static func dollars(_ amount: USDAmount?) -> JSONValue {
        amount.map { .number($0.description) } ?? .null
    }
}
