import Synchronization

/// Enforces each member's `requests_per_minute`, `max_concurrent_streams`, `tokens_per_day`, `usd_per_day` and
/// `usd_per_month`, and the whole proxy's `budget`.
///
/// Budgets are held by reservation (`BudgetAccount`): admission reserves the request's worst case (tokens:
/// `AdmissionRequest.tokenEstimate`; dollars: `costEstimate`) and `finish` settles it with what the upstream
/// reported. Shared by all loops; one short critical section per request start and end. Counters are kept by
/// caller name, so they survive a SIGHUP reload (new limits apply to the counts so far). Days and months are UTC;
/// at start the proxy seeds the current periods from the usage ledger so a restart does not hand out a fresh budget.
public final class UsageLimiter: Sendable {
    private struct CallerUsage {
        /// Start times (monotonic ns) of requests within the last minute, oldest first; kept only for a member with a
        /// `requests_per_minute` limit (at most that many entries), so callers without one pay nothing per request.
        var recentStarts: [UInt64] = []
        var openStreams = 0
        var tokens = BudgetAccount()
        var dollars = DollarAccounts()
        /// This member's largest prompt per model today.
        var prompts = LearnedPrompts()

        /// Moves to the periods of `clock`: spending and what was learned about prompt sizes start again.
        mutating func enter(_ clock: UTCClock) {
            if tokens.period != clock.day { prompts = LearnedPrompts() }
            tokens.enter(clock.day)
            dollars.enter(clock)
        }
    }

    private struct State {
        var callers: [String: CallerUsage] = [:]
        /// Every caller's dollars together, for the proxy's `budget`.
        var team = DollarAccounts()
        var costs = LearnedCosts()
    }

    private let state = Mutex(State())
    private static let minuteNs: UInt64 = 60_000_000_000

    public init() {}

    /// Admits a request from `caller` (`member` is its configuration; nil for anonymous callers) or returns the 429
    /// to send. `team` is the proxy's `budget`.
    /// - Parameters:
    ///   - now: monotonic nanoseconds; `clock`: the UTC periods and when they end.
    ///   - enforcing: false when Redis decides (`SharedLimiter`): nothing is refused here, but the request is counted
    ///     and reserved as usual, which gives its estimates and keeps this instance's report.
    public func admit(
        _ caller: String, member: ClientConfig?, team: DollarBudget = DollarBudget(), _ request: AdmissionRequest,
        now: UInt64, clock: UTCClock, enforcing: Bool = true
    ) -> Result<Admission, OpenAIError> {
        state.withLock { state in
            // Taken out while changed, so its arrays and tables are not copied on write.
            var entry = state.callers.removeValue(forKey: caller) ?? CallerUsage()
            defer { state.callers[caller] = entry }
            entry.enter(clock)
            state.team.enter(clock)
            // Oldest first: what left the window is a prefix.
            let expired = entry.recentStarts.firstIndex { now &- $0 < Self.minuteNs } ?? entry.recentStarts.count
            entry.recentStarts.removeFirst(expired)
            let learned = entry.prompts.largest(member: caller, model: request.model)
            let tokenEstimate = Int64(request.tokenEstimate(largestPrompt: learned))
            if enforcing, let budget = member?.tokensPerDay.map(Int64.init), !entry.tokens.admits(tokenEstimate, limit: budget) {
                return .failure(
                    LimitRefusal.tokens(caller, budget: budget, estimate: tokenEstimate, account: entry.tokens, clock: clock))
            }
            let dollarLimited = (member?.dollars.isLimited ?? false) || team.isLimited
            let costEstimate = dollarLimited ? request.costEstimate(learned: state.costs.largest(model: request.model)) : .zero
            if enforcing, let member,
                let refusal = entry.dollars.refusal(of: costEstimate, under: member.dollars, clock: clock, who: .member(caller))
            {
                return .failure(refusal)
            }
            if enforcing, let refusal = state.team.refusal(of: costEstimate, under: team, clock: clock, who: .proxy) {
                return .failure(refusal)
            }
            if enforcing, let limit = member?.requestsPerMinute, entry.recentStarts.count >= limit {
                let oldest = entry.recentStarts.first ?? now
                let waitNs = Self.minuteNs &- (now &- oldest)
                return .failure(LimitRefusal.rate(caller, limit: limit, retryAfterSeconds: Int((waitNs + 999_999_999) / 1_000_000_000)))
            }
            if enforcing, request.stream, let limit = member?.maxConcurrentStreams, entry.openStreams >= limit {
                return .failure(LimitRefusal.concurrency(caller, limit: limit))
            }
            if member?.requestsPerMinute != nil { entry.recentStarts.append(now) }
            if request.stream { entry.openStreams += 1 }
            let holdsTokens = member?.tokensPerDay != nil
            let reservedTokens = holdsTokens ? tokenEstimate : 0
            if holdsTokens { entry.tokens.reserve(reservedTokens) }
            entry.dollars.reserve(costEstimate)
            state.team.reserve(costEstimate)
            return .success(
                Admission(
                    caller: caller, model: request.model, holdsStreamSlot: request.stream, holdsTokenReservation: holdsTokens,
                    reservedTokens: reservedTokens, holdsCostReservation: dollarLimited, reservedCost: costEstimate))
        }
    }

    /// Ends an admitted request: frees its stream slot and settles its reservations with `usage`. Returns what was
    /// charged.
    ///
    /// A request that reached the upstream but reported no usage (the client went away, the stream broke) is
    /// charged its whole reservation: aborting streams must not be a way around a budget. One that never got an
    /// answer costs nothing; so does usage without a cost (an upstream that reports none).
    @discardableResult
    public func finish(_ admission: Admission, usage: StreamUsage?, upstreamAnswered: Bool, clock: UTCClock) -> Charge {
        state.withLock { state in
            var entry = state.callers.removeValue(forKey: admission.caller) ?? CallerUsage()
            defer { state.callers[admission.caller] = entry }
            if admission.holdsStreamSlot { entry.openStreams = max(0, entry.openStreams - 1) }
            entry.enter(clock)
            state.team.enter(clock)
            let tokens = usage.map { Int64(TokenCount.clamped($0.totalTokens)) } ?? (upstreamAnswered ? admission.reservedTokens : 0)
            if admission.holdsTokenReservation {
                entry.tokens.settle(reserved: admission.reservedTokens, cost: tokens)
            } else {
                entry.tokens.add(spent: tokens)
            }
            let reported = usage.map { $0.costUSD.flatMap(USDAmount.init(reportedCost:)) ?? .zero }
            let cost = reported ?? (upstreamAnswered && admission.holdsCostReservation ? admission.reservedCost : .zero)
            entry.dollars.settle(reserved: admission.reservedCost, cost: cost)
            state.team.settle(reserved: admission.reservedCost, cost: cost)
            if let reported, reported > .zero { state.costs.observe(model: admission.model, cost: reported) }
            if let prompt = usage?.promptTokens {
                entry.prompts.observe(member: admission.caller, model: admission.model, promptTokens: prompt)
            }
            return Charge(tokens: Int(tokens), cost: cost)
        }
    }

    /// Seeds the current periods' totals from the usage ledger (at start-up).
    public func seed(_ totals: LedgerTotals) {
        state.withLock { state in
            state.team.enter(totals.clock)
            state.team.add(today: totals.teamCostToday, month: totals.teamCostMonth)
            for caller in Set(totals.tokensToday.keys).union(totals.costMonth.keys) {
                var entry = state.callers[caller] ?? CallerUsage()
                entry.enter(totals.clock)
                entry.tokens.add(spent: Int64(totals.tokensToday[caller, default: 0]))
                entry.dollars.add(today: totals.costToday[caller, default: .zero], month: totals.costMonth[caller, default: .zero])
                entry.prompts.merge(totals.largestPrompts)
                state.callers[caller] = entry
            }
            state.costs.merge(olderThanThese: totals.learnedCosts)
        }
    }

    /// Adds what callers spent earlier this month (before today), read after start-up when no monthly budget made
    /// start-up read the month itself: the month's figures then become right once the ledger is read, and a monthly
    /// budget added later by a reload counts them.
    public func addEarlierThisMonth(_ spentByCaller: [String: USDAmount], clock: UTCClock) {
        state.withLock { state in
            state.team.enter(clock)
            for (caller, amount) in spentByCaller {
                var entry = state.callers[caller] ?? CallerUsage()
                entry.enter(clock)
                entry.dollars.add(today: .zero, month: amount)
                state.callers[caller] = entry
                state.team.add(today: .zero, month: amount)
            }
        }
    }

    /// Tokens `caller` has spent today and holds in open reservations (tests, reports).
    public func tokens(of caller: String) -> (spent: Int, reserved: Int) {
        state.withLock { state in
            let account = state.callers[caller]?.tokens ?? BudgetAccount()
            return (Int(account.spent), Int(account.reserved))
        }
    }

    /// What one caller, or the whole proxy, has spent and reserved in the current periods.
    public struct Standing: Sendable, Equatable {
        public var tokensToday: Int64 = 0
        public var tokensReserved: Int64 = 0
        public var costToday = USDAmount.zero
        public var costMonth = USDAmount.zero
        public var costReservedToday = USDAmount.zero
        public var costReservedMonth = USDAmount.zero
        public var openStreams = 0
    }

    /// Every caller's standing, and the whole proxy's (under the name ""), in the periods of `clock`.
    public func standings(at clock: UTCClock) -> [String: Standing] {
        state.withLock { state in
            var result: [String: Standing] = [:]
            var total = Standing()
            for (name, var entry) in state.callers {
                entry.enter(clock)
                var standing = Standing(
                    tokensToday: entry.tokens.spent, tokensReserved: entry.tokens.reserved, openStreams: entry.openStreams)
                entry.dollars.describe(into: &standing)
                total.tokensToday += standing.tokensToday
                total.openStreams += standing.openStreams
                result[name] = standing
            }
            var team = state.team
            team.enter(clock)
            team.describe(into: &total)
            result[""] = total
            return result
        }
    }
}
