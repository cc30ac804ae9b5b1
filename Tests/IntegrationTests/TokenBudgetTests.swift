import Foundation
import ProxyCore
import Testing

/// `tokens_per_day` is held by reservation (CONTRACT "Budgets and limits"): concurrent requests cannot all pass a
/// check that only looks at what was already spent.
@Suite struct TokenBudgetTests {
    static let key = "sk-team-carol-example"

    private func rig(budget: Int, ledger: String, api: UpstreamAPI = .chat) throws -> ProxyHarness {
        try ProxyHarness(api: api) { config in
            var carol = ClientConfig(name: "carol", keyHash: KeyHash.hash(Self.key))
            carol.tokensPerDay = budget
            config.clients = [carol]
            config.usageLedger = ledger
        }
    }

    /// `count` streaming requests at once (all sent before any answer is read, so every admission decision is made
    /// while the earlier requests still run); their statuses.
    private func burst(_ harness: ProxyHarness, count: Int, extra: String) throws -> [Int] {
        let clients = try (0..<count).map { _ in try harness.client(timeoutSeconds: 30) }
        for client in clients {
            try client.post(
                "/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "long", extra: extra),
                headers: ["Authorization": "Bearer \(Self.key)"])
        }
        return clients.map { (try? $0.readResponse().status) ?? -1 }
    }

    private func ledgerRecords(_ path: String) throws -> [UsageRecord] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { UsageRecord(jsonLine: Array($0.utf8)) }
    }

    private func ledgerTokens(_ path: String) throws -> (ok: Int, total: Int) {
        let records = try ledgerRecords(path)
        return (records.filter { $0.outcome == "ok" }.count, records.map(\.totalTokens).reduce(0, +))
    }

    @Test func concurrentRequests_neverOvershootWhenTheirLimitCoversTheirUse() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(budget: 1_000, ledger: path)
        // Each answer is 209 tokens (the mock's `long` scenario); max_tokens 250 reserves more than that.
        let statuses = try burst(harness, count: 20, extra: #","max_tokens":250"#)
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 429 })
        let admitted = statuses.filter { $0 == 200 }.count
        let (ok, total) = try ledgerTokens(path)
        #expect(admitted >= 1)
        #expect(ok == admitted)
        #expect(total <= 1_000, "spent \(total) of 1000 with \(admitted) admitted")
        #expect(admitted >= 3)
        #expect(harness.proxy.state.limiter.tokens(of: "carol").reserved == 0)
    }

    @Test func requestWhoseWorstCaseExceedsTheBudget_isRefusedWithAdvice() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(budget: 1_000, ledger: path)
        // No max_tokens and no model cap: 4,096 output tokens are reserved, more than the whole budget.
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(), headers: ["Authorization": "Bearer \(Self.key)"])
        let refused = try client.readResponse()
        #expect(refused.status == 429)
        #expect(((refused.json?["error"] as? [String: Any])?["message"] as? String)?.contains("max_tokens") == true)
        #expect(try ledgerTokens(path).total == 0)
    }

    @Test func modelOutputCap_isReservedAndSentUpstream() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try ProxyHarness(api: .chat) { config in
            var carol = ClientConfig(name: "carol", keyHash: KeyHash.hash(Self.key))
            carol.tokensPerDay = 1_000
            config.clients = [carol]
            config.usageLedger = path
            config.configuredModels = ["sonar": ModelRoute(maxOutputTokens: 300)]
        }
        let statuses = try burst(harness, count: 20, extra: "")
        #expect(statuses.filter { $0 == 200 }.count >= 1)
        #expect(try ledgerTokens(path).total <= 1_000)
        let sent = String(decoding: harness.mock.statistics.lastBody, as: UTF8.self)
        #expect(sent.contains(#""max_tokens":300"#))
    }

    @Test func refusal_isBudgetExceededWithRetryAfter() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(budget: 300, ledger: path)
        let client = try harness.client()
        let headers = ["Authorization": "Bearer \(Self.key)"]
        let limited = #","max_tokens":250"#
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "long", extra: limited), headers: headers)
        #expect(try client.readResponse().status == 200)
        let second = try harness.client()
        try second.post("/v1/chat/completions", json: ProxyHarness.chatBody(extra: limited), headers: headers)
        let refused = try second.readResponse()
        #expect(refused.status == 429)
        #expect((refused.json?["error"] as? [String: Any])?["code"] as? String == "budget_exceeded")
        #expect(refused.header("Retry-After").flatMap(Int.init).map { $0 >= 1 && $0 <= 86_400 } == true)
    }

    /// Agent API usage comes only with the terminal event: a client that leaves before it must not get the
    /// tokens free. (Chat streams report usage on every chunk, so what was used so far is charged there.)
    @Test func clientThatAbortsAStreamBeforeAnyUsage_isChargedItsReservation() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(budget: 100_000, ledger: path, api: .agent)
        let client = try harness.client()
        try client.post(
            "/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall", extra: #","max_tokens":500"#),
            headers: ["Authorization": "Bearer \(Self.key)"])
        #expect(try client.readHead().status == 200)
        client.reset()
        let limiter = harness.proxy.state.limiter
        #expect(harness.eventually { limiter.tokens(of: "carol").reserved == 0 })
        // No usage was reported, but the upstream had answered: the worst case is charged, and the ledger says so,
        // so a restart charges it again rather than handing those tokens back.
        let charged = limiter.tokens(of: "carol").spent
        #expect(charged >= 500)
        #expect(harness.eventually { (try? ledgerRecords(path).last?.chargedTokens) == charged })
        let restarted = try rig(budget: 100_000, ledger: path, api: .agent)
        #expect(restarted.proxy.state.limiter.tokens(of: "carol").spent == charged)
    }

    @Test func absurdMaxTokens_isNoCrash() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(budget: 1_000, ledger: path)
        for extra in [#","max_tokens":9223372036854775807"#, #","max_tokens":-9223372036854775000"#] {
            let client = try harness.client()
            try client.post(
                "/v1/chat/completions", json: ProxyHarness.chatBody(extra: extra), headers: ["Authorization": "Bearer \(Self.key)"])
            #expect([400, 429].contains(try client.readResponse().status))
        }
        #expect(try harness.chat().status == 401)
    }

    @Test func restart_seedsTodaysSpendFromTheLedger() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let first = try rig(budget: 1_000, ledger: path)
            _ = first.proxy.localAddress
            let client = try first.client()
            try client.post(
                "/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "long", extra: #","max_tokens":250"#),
                headers: ["Authorization": "Bearer \(Self.key)"])
            #expect(try client.readResponse().status == 200)
        }
        let second = try rig(budget: 1_000, ledger: path)
        #expect(second.proxy.state.limiter.tokens(of: "carol").spent == 209)
    }
}
