import Foundation
import ProxyCore
import Testing

/// `usd_per_day`, `usd_per_month` and the proxy's `budget` through the running proxy (CONTRACT "Budgets and
/// limits"): reserved at admission, settled with the upstream's `usage.cost.total_cost`, seeded from the ledger.
@Suite struct SpendBudgetTests {
    static let key = "sk-team-dana-example"
    private static func ledgerPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("spend-\(UUID().uuidString).jsonl").path
    }

    /// An agent-mode proxy whose `sonar` route reserves `maxCost`; `dana` has `dollars` when given, else no members.
    private func rig(ledger: String, maxCost: String, dollars: DollarBudget?, team: DollarBudget = DollarBudget()) throws -> ProxyHarness {
        try ProxyHarness(api: .agent) { config in
            var route = DefaultModels.routes(for: .agent)["sonar"]!
            route.maxCostUSD = USDAmount(decimal: maxCost)
            config.configuredModels = ["sonar": route]
            if let dollars { config.clients = [ClientConfig(name: "dana", keyHash: KeyHash.hash(Self.key), dollars: dollars)] }
            config.budget = team
            config.usageLedger = ledger
        }
    }

    private func records(_ path: String) throws -> [UsageRecord] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { UsageRecord(jsonLine: Array($0.utf8)) }
    }

    private func spent(_ path: String) throws -> USDAmount {
        try records(path).reduce(USDAmount.zero) { $0 + $1.budgetCost }
    }

    /// 20 concurrent streams, each reserving $0.006 (and costing the emulator's $0.005023), against $0.05.
    @Test func concurrentStreams_neverEndAboveTheDollarBudget() throws {
        let path = Self.ledgerPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let budget = USDAmount(decimal: "0.05")!
        let harness = try rig(ledger: path, maxCost: "0.006", dollars: DollarBudget(perDay: budget))
        // All 20 are sent before any is read, so all are admitted or refused while the first ones still run.
        let clients = try (0..<20).map { _ in try harness.client(timeoutSeconds: 30) }
        for client in clients {
            try client.post(
                "/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "slow"), headers: ["Authorization": "Bearer \(Self.key)"])
        }
        let all = clients.map { (try? $0.readResponse().status) ?? -1 }
        let admitted = all.filter { $0 == 200 }.count
        #expect(all.allSatisfy { $0 == 200 || $0 == 429 }, "\(all)")
        #expect(admitted >= 5, "\(all)")
        let total = try spent(path)
        #expect(total <= budget, "spent $\(total) of $0.05 with \(admitted) admitted")
        #expect(total == USDAmount(nanos: Int64(admitted) * 5_023_000))
        let standing = harness.proxy.state.limiter.standings(at: UTCClock.now())["dana"]
        #expect(standing?.costToday == total)
        #expect(standing?.costReservedToday == .zero && standing?.costReservedMonth == .zero)
    }

    /// A client that leaves before the usage arrives is charged the reservation, the ledger says so, and a restart
    /// (with a monthly budget, so the month is read) charges it again.
    @Test func abortedStream_isChargedItsReservation_andARestartRemembers() throws {
        let path = Self.ledgerPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let dollars = DollarBudget(perDay: USDAmount(decimal: "1"), perMonth: USDAmount(decimal: "5"))
        let reservation = USDAmount(decimal: "0.02")!
        do {
            let harness = try rig(ledger: path, maxCost: "0.02", dollars: dollars)
            let headers = ["Authorization": "Bearer \(Self.key)"]
            let finished = try harness.client()
            try finished.post("/v1/chat/completions", json: ProxyHarness.chatBody(), headers: headers)
            #expect(try finished.readResponse().status == 200)
            let leaving = try harness.client()
            try leaving.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"), headers: headers)
            #expect(try leaving.readHead().status == 200)
            leaving.reset()
            let limiter = harness.proxy.state.limiter
            #expect(harness.eventually { limiter.standings(at: UTCClock.now())["dana"]?.costReservedToday == .zero })
            #expect(limiter.standings(at: UTCClock.now())["dana"]?.costToday == USDAmount(nanos: 5_023_000) + reservation)
            #expect(harness.eventually { (try? records(path).last?.chargedUSD) == reservation })
        }
        let restarted = try rig(ledger: path, maxCost: "0.02", dollars: dollars)
        let standing = restarted.proxy.state.limiter.standings(at: UTCClock.now())["dana"]
        #expect(standing?.costToday == USDAmount(nanos: 5_023_000) + reservation)
        #expect(standing?.costMonth == USDAmount(nanos: 5_023_000) + reservation)
    }

    /// The proxy's own `budget` holds anonymous callers too; the refusal says when the day resets.
    @Test func theProxyBudget_refusesWithRetryAfterToMidnight() throws {
        let path = Self.ledgerPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(ledger: path, maxCost: "0.006", dollars: nil, team: DollarBudget(perDay: USDAmount(decimal: "0.008")))
        #expect(try harness.chat().status == 200)
        let limiter = harness.proxy.state.limiter
        #expect(harness.eventually { limiter.standings(at: UTCClock.now())[""]?.costReservedToday == .zero })
        let refused = try harness.chat()
        #expect(refused.status == 429)
        #expect((refused.json?["error"] as? [String: Any])?["code"] as? String == "budget_exceeded")
        let retry = refused.header("Retry-After").flatMap(Int.init)
        let toMidnight = UTCClock.now().secondsToDayEnd
        #expect(retry.map { abs($0 - toMidnight) <= 2 } == true, "Retry-After \(String(describing: retry)), midnight in \(toMidnight)")
        #expect(try spent(path) == USDAmount(nanos: 5_023_000))
        #expect(try records(path).last?.outcome == "rejected")
    }

    /// Every other way a request ends settles its reservation: an upstream error status costs nothing, the
    /// `/v1/responses` pass-through costs what the upstream reported, and a stream a drain cuts (answered, no
    /// usage yet) costs its reservation.
    @Test func everyExitPath_settlesItsReservation() throws {
        let path = Self.ledgerPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reservation = USDAmount(decimal: "0.02")!
        let harness = try rig(ledger: path, maxCost: "0.02", dollars: DollarBudget(perDay: USDAmount(decimal: "1")))
        let limiter = harness.proxy.state.limiter
        let headers = ["Authorization": "Bearer \(Self.key)"]
        func standing() -> UsageLimiter.Standing? { limiter.standings(at: UTCClock.now())["dana"] }
        func settled() -> Bool { harness.eventually { standing()?.costReservedToday == .zero && standing()?.openStreams == 0 } }

        let refused = try harness.client()
        try refused.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "error-429"), headers: headers)
        #expect(try refused.readResponse().status == 429)
        #expect(settled())
        #expect(standing()?.costToday == .zero)

        let passthrough = try harness.client()
        try passthrough.post("/v1/responses", json: #"{"model":"sonar","input":"What is the capital of France?"}"#, headers: headers)
        #expect(try passthrough.readResponse().status == 200)
        #expect(settled())
        #expect(standing()?.costToday == USDAmount(nanos: 5_023_000))

        let cut = try harness.client()
        try cut.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"), headers: headers)
        #expect(try cut.readHead().status == 200)
        #expect(standing()?.costReservedToday == reservation)
        let done = DispatchSemaphore(value: 0)
        harness.proxy.shutdown(graceMs: 200) { done.signal() }
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(settled())
        #expect(standing()?.costToday == USDAmount(nanos: 5_023_000) + reservation)
        #expect(harness.eventually { (try? records(path).last?.outcome) == "shutdown" })
    }
}
