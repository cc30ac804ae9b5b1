/// The 429s of the limits, the same whether this process or Redis decided. `budget_exceeded` says what is spent,
/// what the request may cost, and when to retry: when the budget is spent (or the request could never fit what is
/// left), when the period resets; when running requests hold what is left, soon.
enum LimitRefusal {
    static func rate(_ name: String, limit: Int, retryAfterSeconds: Int) -> OpenAIError {
        OpenAIError(
            status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
            message: "Member '\(name)' is limited to \(limit) requests per minute.", retryAfterSeconds: max(1, retryAfterSeconds))
    }

    static func concurrency(_ name: String, limit: Int) -> OpenAIError {
        OpenAIError(
            status: 429, type: "rate_limit_error", code: "concurrency_limit_exceeded",
            message: "Member '\(name)' may have at most \(limit) streams open at once.", retryAfterSeconds: 1)
    }

    enum Period: String {
        case day = "today (UTC)"
        case month = "this month (UTC)"
    }

    static func tokens(_ name: String, budget: Int64, estimate: Int64, account: BudgetAccount, clock: UTCClock) -> OpenAIError {
        let message: String
        let retry: Int
        if account.isExhausted(limit: budget) {
            message = "Member '\(name)' has used its \(budget) tokens for today (UTC)."
            retry = max(1, clock.secondsToDayEnd)
        } else if estimate > budget - account.spent {
            message =
                "Member '\(name)' has \(budget - account.spent) of \(budget) tokens left today (UTC); this request may use up to "
                + "\(estimate) (its prompt plus max_tokens, or the model's output cap). Set a lower max_tokens."
            retry = max(1, clock.secondsToDayEnd)
        } else {
            message =
                "Member '\(name)' has \(account.left(limit: budget)) tokens left today that are not reserved by requests still "
                + "running, and this request may use up to \(estimate); retry when they end."
            retry = 1
        }
        return refusal(message, retry: retry)
    }

    static func dollars(
        _ who: DollarAccounts.Spender, period: Period, limit: USDAmount, estimate: USDAmount, account: BudgetAccount,
        resetsInSeconds: Int
    ) -> OpenAIError {
        let owner: String
        switch who {
        case .member(let name): owner = "Member '\(name)'"
        case .proxy: owner = "The proxy's shared budget"
        }
        let spent = USDAmount(nanos: account.spent)
        let message: String
        let retry: Int
        if account.isExhausted(limit: limit.nanos) {
            message = "\(owner) has spent $\(spent) of $\(limit) \(period.rawValue)."
            retry = max(1, resetsInSeconds)
        } else if estimate.nanos > limit.nanos - account.spent {
            message =
                "\(owner) has $\(limit - spent) of $\(limit) left \(period.rawValue); this request may cost up to $\(estimate) "
                + "(the model's max_cost_usd, or the most it cost recently)."
            retry = max(1, resetsInSeconds)
        } else {
            message =
                "\(owner) has $\(USDAmount(nanos: account.left(limit: limit.nanos))) left \(period.rawValue) that is not reserved "
                + "by requests still running, and this request may cost up to $\(estimate); retry when they end."
            retry = 1
        }
        return refusal(message, retry: retry)
    }

    private static func refusal(_ message: String, retry: Int) -> OpenAIError {
        OpenAIError(status: 429, type: "rate_limit_error", code: "budget_exceeded", message: message, retryAfterSeconds: retry)
    }
}
