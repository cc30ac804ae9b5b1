import Testing

@testable import ProxyCore

@Suite struct BudgetAccountTests {
    @Test func reservations_countAgainstTheLimitUntilSettled() {
        var account = BudgetAccount()
        account.enter("2026-12-05")
        #expect(account.admits(400, limit: 1_000))
        account.reserve(400)
        account.reserve(400)
        #expect(!account.admits(400, limit: 1_000))
        #expect(account.left(limit: 1_000) == 200)
        account.settle(reserved: 400, cost: 300)
        #expect(account.spent == 300)
        #expect(account.reserved == 400)
        #expect(account.admits(300, limit: 1_000))
        #expect(!account.admits(301, limit: 1_000))
    }

    @Test func aRequestWhoseWorstCaseDoesNotFit_isRefusedEvenWhenSomethingIsLeft() {
        var account = BudgetAccount()
        account.enter("d")
        #expect(!account.admits(5_000, limit: 1_000))
        account.settle(reserved: 0, cost: 1_200)
        #expect(!account.admits(1, limit: 1_000))
        #expect(account.isExhausted(limit: 1_000))
    }

    @Test func aNewPeriod_startsSpendingAgain_andKeepsOpenReservations() {
        var account = BudgetAccount()
        account.enter("d1")
        account.reserve(100)
        account.settle(reserved: 0, cost: 900)
        account.enter("d2")
        #expect(account.spent == 0)
        #expect(account.reserved == 100)
        account.settle(reserved: 100, cost: 80)
        #expect(account.spent == 80)
        #expect(account.openReservations == 0)
    }
}

/// The limiter under hostile input: no figure a member or an upstream sends can trap the process or move another
/// member's budget.
@Suite struct UsageLimiterTests {
    private let alice = ClientConfig(name: "alice", keyHash: "sha256:" + String(repeating: "a", count: 64), tokensPerDay: 1_000_000)
    private let bob = ClientConfig(name: "bob", keyHash: "sha256:" + String(repeating: "b", count: 64), tokensPerDay: 100_000)
    private let clock = UTCClock(day: "2026-12-05", secondsToDayEnd: 3_600, secondsToMonthEnd: 90_000)

    @Test func absurdOutputLimits_areClamped_notOverflowed() {
        let limiter = UsageLimiter()
        for limit in [Int.max, Int.min, -5, 0] {
            let request = AdmissionRequest(stream: true, model: "sonar", bodyBytes: Int.max, outputTokenLimit: limit)
            // Refused (too large) or admitted: never a trap, never a negative reservation.
            if case .success(let admission) = limiter.admit(
                "alice", member: alice, request, now: 1, clock: clock)
            {
                #expect(admission.reservedTokens >= 0)
                limiter.finish(admission, usage: nil, upstreamAnswered: false, clock: clock)
            }
        }
        let huge = StreamUsage(promptTokens: Int.max, completionTokens: Int.max, totalTokens: Int.max, costUSD: nil)
        if case .success(let admission) = limiter.admit(
            "alice", member: alice, AdmissionRequest(stream: false, model: "sonar", bodyBytes: 10, outputTokenLimit: 10), now: 2,
            clock: clock)
        {
            limiter.finish(admission, usage: huge, upstreamAnswered: true, clock: clock)
        }
        #expect(limiter.tokens(of: "alice").spent <= TokenCount.maximum)
    }

    @Test func oneMembersHugePrompt_doesNotRaiseAnothersEstimate() {
        let limiter = UsageLimiter()
        let request = AdmissionRequest(stream: false, model: "sonar", bodyBytes: 100, outputTokenLimit: 100)
        guard
            case .success(let big) = limiter.admit(
                "alice", member: alice, request, now: 1, clock: clock)
        else { return #expect(Bool(false)) }
        limiter.finish(
            big, usage: StreamUsage(promptTokens: 150_000, completionTokens: 10, totalTokens: 150_010, costUSD: nil),
            upstreamAnswered: true, clock: clock)
        guard
            case .success(let small) = limiter.admit(
                "bob", member: bob, request, now: 2, clock: clock)
        else {
            return #expect(Bool(false), "bob was refused because of alice's prompt")
        }
        #expect(small.reservedTokens < 1_000)
        // Alice's own next request does start from her experience.
        guard
            case .success(let again) = limiter.admit(
                "alice", member: alice, request, now: 3, clock: clock)
        else { return #expect(Bool(false)) }
        #expect(again.reservedTokens >= 150_000)
    }

    @Test func aRequestThatGotAnAnswerButNoUsage_isChargedItsReservation_andSaysSo() {
        let limiter = UsageLimiter()
        let request = AdmissionRequest(stream: true, model: "sonar", bodyBytes: 400, outputTokenLimit: 500)
        guard
            case .success(let admission) = limiter.admit(
                "alice", member: alice, request, now: 1, clock: clock)
        else { return #expect(Bool(false)) }
        #expect(limiter.finish(admission, usage: nil, upstreamAnswered: true, clock: clock).tokens == 600)
        guard
            case .success(let refused) = limiter.admit(
                "alice", member: alice, request, now: 2, clock: clock)
        else { return #expect(Bool(false)) }
        #expect(limiter.finish(refused, usage: nil, upstreamAnswered: false, clock: clock).tokens == 0)
        #expect(limiter.tokens(of: "alice").spent == 600)
    }
}
