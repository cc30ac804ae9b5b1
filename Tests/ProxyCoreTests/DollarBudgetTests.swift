import Testing

@testable import ProxyCore

/// Dollar budgets held by reservation: per member per UTC day and month, and for the whole proxy.
@Suite struct DollarBudgetTests {
    private let clock = UTCClock(day: "2026-12-05", secondsToDayEnd: 3_600, secondsToMonthEnd: 26 * 86_400 + 3_600)
    private func member(_ name: String, day: Double? = nil, month: Double? = nil) -> ClientConfig {
        ClientConfig(
            name: name, keyHash: "sha256:" + String(repeating: "a", count: 64),
            dollars: DollarBudget(perDay: day.flatMap(USDAmount.init(dollars:)), perMonth: month.flatMap(USDAmount.init(dollars:))))
    }
    private func request(maxCost: Double? = nil) -> AdmissionRequest {
        AdmissionRequest(
            stream: true, model: "sonar", bodyBytes: 100, outputTokenLimit: nil, maxCost: maxCost.flatMap(USDAmount.init(dollars:)))
    }
    private func usage(costing dollars: Double?) -> StreamUsage {
        StreamUsage(promptTokens: 10, completionTokens: 10, totalTokens: 20, costUSD: dollars)
    }
    private func code(_ result: Result<Admission, OpenAIError>) -> String? {
        if case .failure(let error) = result { return error.code }
        return nil
    }

    /// 20 concurrent requests that each cost $0.006 against $0.05: those admitted fit even if every one costs its
    /// reservation, so the day never ends above $0.05, and at least five run.
    @Test func concurrentRequests_neverEndAboveTheBudget() {
        let limiter = UsageLimiter()
        let alice = member("alice", day: 0.05)
        var admitted: [Admission] = []
        for i in 0..<20 {
            if case .success(let admission) = limiter.admit("alice", member: alice, request(maxCost: 0.006), now: UInt64(i), clock: clock) {
                admitted.append(admission)
            }
        }
        #expect(admitted.count == 8)
        for admission in admitted { limiter.finish(admission, usage: usage(costing: 0.006), upstreamAnswered: true, clock: clock) }
        let standing = limiter.standings(at: clock)["alice"]
        #expect(standing?.costToday == USDAmount(nanos: 48_000_000))
        #expect(standing?.costReservedToday == .zero)
        // $0.002 left: the next $0.006 request is refused until midnight.
        let refused = limiter.admit("alice", member: alice, request(maxCost: 0.006), now: 30, clock: clock)
        guard case .failure(let error) = refused else { return #expect(Bool(false)) }
        #expect(error.code == "budget_exceeded" && error.status == 429)
        #expect(error.retryAfterSeconds == 3_600)
        #expect(error.message.contains("$0.002 of $0.05 left today"))
    }

    @Test func withoutAConfiguredCap_theReservationIsLearnedFromRecentCosts() {
        let limiter = UsageLimiter()
        let alice = member("alice", day: 0.2)
        guard case .success(let first) = limiter.admit("alice", member: alice, request(), now: 1, clock: clock) else {
            return #expect(Bool(false))
        }
        #expect(first.reservedCost == AdmissionRequest.defaultCostReservation)
        limiter.finish(first, usage: usage(costing: 0.007), upstreamAnswered: true, clock: clock)
        guard case .success(let second) = limiter.admit("alice", member: alice, request(), now: 2, clock: clock) else {
            return #expect(Bool(false))
        }
        #expect(second.reservedCost == USDAmount(nanos: 7_000_000))
    }

    /// Every way a request ends settles its reservation: no answer costs nothing, an answer without usage costs the
    /// reservation, usage costs what the upstream reported.
    @Test func everyExitPath_releasesItsReservation() {
        let limiter = UsageLimiter()
        let alice = member("alice", day: 1, month: 10)
        let outcomes: [(StreamUsage?, Bool, USDAmount)] = [
            (nil, false, .zero), (nil, true, USDAmount(nanos: 10_000_000)), (usage(costing: 0.003), true, USDAmount(nanos: 3_000_000)),
            (usage(costing: nil), true, .zero),
        ]
        var total = USDAmount.zero
        for (i, (usage, answered, expected)) in outcomes.enumerated() {
            guard case .success(let admission) = limiter.admit("alice", member: alice, request(maxCost: 0.01), now: UInt64(i), clock: clock)
            else { return #expect(Bool(false)) }
            #expect(limiter.finish(admission, usage: usage, upstreamAnswered: answered, clock: clock).cost == expected)
            total += expected
        }
        let standing = limiter.standings(at: clock)
        #expect(standing["alice"]?.costToday == total)
        #expect(standing["alice"]?.costMonth == total)
        #expect(standing["alice"]?.costReservedToday == .zero)
        #expect(standing["alice"]?.costReservedMonth == .zero)
        #expect(standing[""]?.costReservedToday == .zero)
        #expect(standing["alice"]?.openStreams == 0)
    }

    @Test func theMonthlyBudget_retriesAtTheStartOfNextMonth() {
        let limiter = UsageLimiter()
        var totals = LedgerTotals(clock: clock)
        totals.costMonth = ["alice": USDAmount(nanos: 2_000_000_000)]
        limiter.seed(totals)
        let refused = limiter.admit("alice", member: member("alice", day: 5, month: 2), request(maxCost: 0.01), now: 1, clock: clock)
        guard case .failure(let error) = refused else { return #expect(Bool(false)) }
        #expect(error.retryAfterSeconds == clock.secondsToMonthEnd)
        #expect(error.message.contains("has spent $2 of $2 this month"))
    }

    /// The proxy's `budget` holds every caller together, anonymous ones and members without limits of their own.
    @Test func theProxyBudget_holdsAcrossCallers() {
        let limiter = UsageLimiter()
        let team = DollarBudget(perDay: USDAmount(nanos: 20_000_000))
        let results = [
            limiter.admit("anonymous", member: nil, team: team, request(maxCost: 0.008), now: 1, clock: clock),
            limiter.admit("bob", member: member("bob"), team: team, request(maxCost: 0.008), now: 2, clock: clock),
            limiter.admit("carol", member: member("carol"), team: team, request(maxCost: 0.008), now: 3, clock: clock),
        ]
        #expect(results.map(code) == [nil, nil, "budget_exceeded"])
        guard case .failure(let error) = results[2] else { return }
        #expect(error.message.contains("The proxy's shared budget"))
        #expect(error.retryAfterSeconds == 1)
    }

    @Test func aNewDay_startsTheDayAgain_butNotTheMonth() {
        let limiter = UsageLimiter()
        let alice = member("alice", day: 0.01, month: 0.015)
        guard case .success(let first) = limiter.admit("alice", member: alice, request(maxCost: 0.008), now: 1, clock: clock) else {
            return #expect(Bool(false))
        }
        limiter.finish(first, usage: usage(costing: 0.008), upstreamAnswered: true, clock: clock)
        #expect(code(limiter.admit("alice", member: alice, request(maxCost: 0.008), now: 2, clock: clock)) == "budget_exceeded")
        let tomorrow = UTCClock(day: "2026-12-06", secondsToDayEnd: 86_400, secondsToMonthEnd: 25 * 86_400)
        guard case .failure(let error) = limiter.admit("alice", member: alice, request(maxCost: 0.008), now: 3, clock: tomorrow) else {
            return #expect(Bool(false), "the month's $0.015 does not hold a second $0.008")
        }
        #expect(error.retryAfterSeconds == tomorrow.secondsToMonthEnd)
        #expect(limiter.standings(at: tomorrow)["alice"]?.costToday == .zero)
    }

    /// No figure an upstream reports can trap the process or hand out budget: absurd costs are capped per request,
    /// negative and non-numbers count as nothing, and sums saturate.
    @Test func hostileCosts_areCapped_andNeverTrap() {
        let limiter = UsageLimiter()
        let alice = member("alice", day: 1, month: 10)
        let team = DollarBudget(perDay: USDAmount(decimal: "100"))
        for (i, cost) in [5e9, 5e9, Double.infinity, -Double.infinity, -1, .nan, 1e300].enumerated() {
            let result = limiter.admit("alice", member: alice, team: team, request(maxCost: 0.01), now: UInt64(i), clock: clock)
            if case .success(let admission) = result {
                limiter.finish(admission, usage: usage(costing: cost), upstreamAnswered: true, clock: clock)
            }
        }
        let standing = limiter.standings(at: clock)
        #expect(standing["alice"]?.costToday == USDAmount.perRequestCap)
        #expect(standing[""]?.costReservedToday == .zero)
        #expect(code(limiter.admit("alice", member: alice, team: team, request(maxCost: 0.01), now: 99, clock: clock)) == "budget_exceeded")
        #expect(USDAmount(nanos: .max) + USDAmount(nanos: 1) == USDAmount(nanos: .max))
    }

    @Test func dollarAmounts_areReadExactly() {
        #expect(USDAmount(decimal: "0.006")?.nanos == 6_000_000)
        #expect(USDAmount(decimal: "12")?.nanos == 12_000_000_000)
        #expect(USDAmount(decimal: "1.5e-3")?.nanos == 1_500_000)
        #expect(USDAmount(decimal: "0.0000000001") == nil)
        #expect(USDAmount(decimal: "-1")?.nanos == -1_000_000_000)
    }

    @Test func clock_knowsWhenTheMonthEnds() {
        // 2024-02-29T23:00:00Z: an hour left in the day and in the (leap) month.
        let leap = UTCClock.at(1_709_247_600)
        #expect(leap.day == "2024-02-29" && leap.month == "2024-02")
        #expect(leap.secondsToDayEnd == 3_600 && leap.secondsToMonthEnd == 3_600)
        // 2026-12-05T00:00:00Z: 27 days left in December.
        let december = UTCClock.at(1_796_428_800)
        #expect(december.day == "2026-12-05" && december.secondsToMonthEnd == 27 * 86_400)
    }
}
