import Synchronization

/// Enforces each member's `requests_per_minute`, `max_concurrent_streams` and `tokens_per_day`.
///
/// Token budgets are held by reservation (`BudgetAccount`): admission reserves the request's estimate
/// (`AdmissionRequest.tokenEstimate`) and `finish` settles it with the usage the upstream reported. Shared by all
/// loops; one short critical section per request start and end. Counters are kept by member name, so they
/// survive a SIGHUP reload (new limits apply to the counts so far). Budgets reset at 00:00 UTC; at start the proxy
/// seeds today's totals from the usage ledger so a restart does not hand out a fresh budget.
public final class MemberLimiter: Sendable {
    private struct Usage {
        /// Start times (monotonic ns) of requests within the last minute, oldest first.
        var recentStarts: [UInt64] = []
        var openStreams = 0
        var tokens = BudgetAccount()
        /// This member's largest prompt per model today.
        var prompts = LearnedPrompts()

        /// Moves to `day`: spending and what was learned about prompt sizes start again.
        mutating func enter(_ day: String) {
            if tokens.period != day { prompts = LearnedPrompts() }
            tokens.enter(day)
        }
    }

    private struct State {
        var members: [String: Usage] = [:]
    }

    private let state = Mutex(State())
    private static let minuteNs: UInt64 = 60_000_000_000

    public init() {}

    /// Admits a request from `member` or returns the 429 to send.
    /// - Parameters:
    ///   - now: monotonic nanoseconds; `clock`: the UTC day and the seconds until it ends.
    public func admit(_ member: ClientConfig, _ request: AdmissionRequest, now: UInt64, clock: UTCDay.Now) -> Result<
        MemberAdmission, OpenAIError
    > {
        state.withLock { state in
            var entry = state.members[member.name] ?? Usage()
            defer { state.members[member.name] = entry }
            entry.enter(clock.day)
            entry.recentStarts.removeAll { now &- $0 >= Self.minuteNs }
            let learned = entry.prompts.largest(member: member.name, model: request.model)
            let tokenEstimate = Int64(request.tokenEstimate(largestPrompt: learned))
            if let budget = member.tokensPerDay.map(Int64.init), !entry.tokens.admits(tokenEstimate, limit: budget) {
                return .failure(
                    Self.tokenBudgetRefusal(member.name, budget: budget, estimate: tokenEstimate, account: entry.tokens, clock: clock))
            }
            if let limit = member.requestsPerMinute, entry.recentStarts.count >= limit {
                let oldest = entry.recentStarts.first ?? now
                let waitNs = Self.minuteNs &- (now &- oldest)
                return .failure(
                    OpenAIError(
                        status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                        message: "Member '\(member.name)' is limited to \(limit) requests per minute.",
                        retryAfterSeconds: max(1, Int((waitNs + 999_999_999) / 1_000_000_000))))
            }
            if request.stream, let limit = member.maxConcurrentStreams, entry.openStreams >= limit {
                return .failure(
                    OpenAIError(
                        status: 429, type: "rate_limit_error", code: "concurrency_limit_exceeded",
                        message: "Member '\(member.name)' may have at most \(limit) streams open at once.",
                        retryAfterSeconds: 1))
            }
            entry.recentStarts.append(now)
            if request.stream { entry.openStreams += 1 }
            let reserved = member.tokensPerDay == nil ? 0 : tokenEstimate
            if member.tokensPerDay != nil { entry.tokens.reserve(reserved) }
            return .success(
                MemberAdmission(
                    member: member.name, model: request.model, holdsStreamSlot: request.stream,
                    holdsTokenReservation: member.tokensPerDay != nil, reservedTokens: reserved))
        }
    }

    /// The 429 for a request whose worst case does not fit: when the budget is spent, retry after midnight UTC;
    /// when running requests hold what is left, soon; when it could never fit, say how to make it smaller.
    private static func tokenBudgetRefusal(
        _ name: String, budget: Int64, estimate: Int64, account: BudgetAccount, clock: UTCDay.Now
    ) -> OpenAIError {
        let message: String
        let retry: Int
        if account.isExhausted(limit: budget) {
            message = "Member '\(name)' has used its \(budget) tokens for today (UTC)."
            retry = max(1, clock.secondsToMidnight)
        } else if estimate > budget - account.spent {
            message =
                "Member '\(name)' has \(budget - account.spent) of \(budget) tokens left today (UTC); this request may use up to "
                + "\(estimate) (its prompt plus max_tokens, or the model's output cap). Set a lower max_tokens."
            retry = max(1, clock.secondsToMidnight)
        } else {
            message =
                "Member '\(name)' has \(account.left(limit: budget)) tokens left today that are not reserved by requests still "
                + "running, and this request may use up to \(estimate); retry when they end."
            retry = 1
        }
        return OpenAIError(status: 429, type: "rate_limit_error", code: "budget_exceeded", message: message, retryAfterSeconds: retry)
    }

    /// Ends an admitted request: frees its stream slot and settles its token reservation with `usage`. Returns
    /// the tokens charged.
    ///
    /// A request that reached the upstream but reported no usage (the client went away, the stream broke) is
    /// charged its whole reservation: aborting streams must not be a way around a budget. One that never got an
    /// answer costs nothing.
    @discardableResult
    public func finish(_ admission: MemberAdmission, usage: StreamUsage?, upstreamAnswered: Bool, today: String) -> Int {
        state.withLock { state in
            var entry = state.members[admission.member] ?? Usage()
            defer { state.members[admission.member] = entry }
            if admission.holdsStreamSlot { entry.openStreams = max(0, entry.openStreams - 1) }
            entry.enter(today)
            let cost = usage.map { Int64(TokenCount.clamped($0.totalTokens)) } ?? (upstreamAnswered ? admission.reservedTokens : 0)
            if admission.holdsTokenReservation {
                entry.tokens.settle(reserved: admission.reservedTokens, cost: cost)
            } else {
                entry.tokens.add(spent: cost)
            }
            if let prompt = usage?.promptTokens {
                entry.prompts.observe(member: admission.member, model: admission.model, promptTokens: prompt)
            }
            return Int(cost)
        }
    }

    /// Seeds today's totals from the usage ledger (at start-up).
    public func seed(_ totals: LedgerTotals) {
        state.withLock { state in
            for (member, tokens) in totals.tokensByClient {
                var entry = state.members[member] ?? Usage()
                entry.enter(totals.day)
                entry.tokens.add(spent: Int64(tokens))
                state.members[member] = entry
            }
            for member in Set(totals.tokensByClient.keys) {
                var entry = state.members[member] ?? Usage()
                entry.enter(totals.day)
                entry.prompts.merge(totals.largestPrompts)
                state.members[member] = entry
            }
        }
    }

    /// Tokens `member` has spent today and holds in open reservations (tests, reports).
    public func tokens(of member: String) -> (spent: Int, reserved: Int) {
        state.withLock { state in
            let account = state.members[member]?.tokens ?? BudgetAccount()
            return (Int(account.spent), Int(account.reserved))
        }
    }
}
