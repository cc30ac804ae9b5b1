/// One budget held by reservation in one period (a UTC day, a UTC month): what finished requests spent, and what
/// open requests reserved (CONTRACT "Budgets and limits").
///
/// A request is admitted only if what is spent, what is reserved and its own estimate fit in the limit, so
/// concurrent requests cannot all pass a check that looks only at what is already spent. When it ends, its
/// reservation is replaced by what it really cost: the budget is overshot by at most what requests' real costs
/// exceeded their reservations. Amounts are integers (tokens, or nanodollars), added with saturation: no figure an
/// upstream or a ledger line reports can trap the process.
struct BudgetAccount: Sendable, Equatable {
    /// The period the spent amount belongs to.
    private(set) var period = ""
    private(set) var spent: Int64 = 0
    private(set) var reserved: Int64 = 0
    private(set) var openReservations = 0

    /// Moves to `period` if it is a new one: spending starts again; open reservations carry over and settle
    /// into the period they end in.
    mutating func enter(_ period: String) {
        guard period != self.period else { return }
        self.period = period
        spent = 0
    }

    /// Whether a request estimated at `estimate` fits under `limit` next to what is spent and reserved. A request
    /// whose worst case does not fit is refused even when some budget is left: admitting it could end above the
    /// limit, which a budget must never do because of the proxy's own admission.
    func admits(_ estimate: Int64, limit: Int64) -> Bool {
        Self.sum(Self.sum(spent, reserved), estimate) <= limit
    }

    /// What is left to reserve under `limit`.
    func left(limit: Int64) -> Int64 {
        max(0, limit - Self.sum(spent, reserved))
    }

    mutating func reserve(_ amount: Int64) {
        reserved = Self.sum(reserved, max(0, amount))
        openReservations += 1
    }

    /// Ends a reservation of `reservedAmount` that really cost `cost`.
    mutating func settle(reserved reservedAmount: Int64, cost: Int64) {
        reserved = max(0, reserved - reservedAmount)
        openReservations = max(0, openReservations - 1)
        spent = Self.sum(spent, max(0, cost))
    }

    /// Adds spending recorded elsewhere (the ledger, at start-up).
    mutating func add(spent amount: Int64) {
        spent = Self.sum(spent, max(0, amount))
    }

    /// Whether nothing is left to spend in this period (as opposed to being held by open reservations).
    func isExhausted(limit: Int64) -> Bool {
        spent >= limit
    }

    /// `a + b`, at most `Int64.max`.
    private static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (total, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : total
    }
}
