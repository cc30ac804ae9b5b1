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
