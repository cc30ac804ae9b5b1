import Foundation
import ProxyCore
import Testing

/// `GET /admin/usage` and `GET /dashboard` (CONTRACT "Endpoints"): who may read spend, and that the report counts
/// the ledger's earlier days and this process's requests exactly once.
@Suite struct AdminUsageTests {
    static let adminKey = "sk-team-erin-admin"
    static let memberKey = "sk-team-fred-member"

    private func rig(ledger: String) throws -> ProxyHarness {
        try ProxyHarness(api: .agent) { config in
            config.clients = [
                ClientConfig(name: "erin", keyHash: KeyHash.hash(Self.adminKey), admin: true),
                ClientConfig(
                    name: "fred", keyHash: KeyHash.hash(Self.memberKey), tokensPerDay: 100_000,
                    dollars: DollarBudget(perDay: USDAmount(decimal: "0.5"))),
            ]
            config.budget = DollarBudget(perMonth: USDAmount(decimal: "10"))
            config.usageLedger = ledger
        }
    }

    private func report(_ harness: ProxyHarness, key: String?) throws -> RawHTTPClient.Response {
        let client = try harness.client()
        try client.get("/admin/usage", headers: key.map { ["Authorization": "Bearer \($0)"] } ?? [:])
        return try client.readResponse()
    }

    private func earlierRecord(daysAgo: Int, client: String, cost: Double) -> String {
        let day = UTCClock.day(daysAgo, before: time(nil))
        return String(
            decoding: UsageRecord(
                timestamp: day + "T12:00:00.000Z", requestID: "r", client: client, model: "sonar", upstreamModel: "sonar", stream: true,
                status: 200, outcome: "ok", promptTokens: 10, completionTokens: 5, totalTokens: 15, costUSD: cost, ttfbMs: 1, durationMs: 2
            ).jsonLine, as: UTF8.self)
    }

    @Test func onlyAdminsReadIt_andTheDashboardPageNeedsNoKey() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(ledger: path)
        #expect(try report(harness, key: nil).status == 401)
        #expect(try report(harness, key: "sk-not-a-member").status == 401)
        let refused = try report(harness, key: Self.memberKey)
        #expect(refused.status == 403)
        #expect((refused.json?["error"] as? [String: Any])?["code"] as? String == "admin_required")
        #expect(try report(harness, key: Self.adminKey).status == 200)

        let page = try harness.client()
        try page.get("/dashboard")
        let dashboard = try page.readResponse()
        #expect(dashboard.status == 200)
        #expect(dashboard.header("Content-Type") == "text/html; charset=utf-8")
        #expect(dashboard.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        let html = String(decoding: dashboard.body, as: UTF8.self)
        #expect(html.contains("admin/usage") && !html.contains("fred"))
        // Nothing is loaded from elsewhere: no script, style, image or font by URL (the SVG namespace is a name only).
        for attribute in ["src=\"http", "href=\"http", "url(http", "@import"] { #expect(!html.contains(attribute)) }
    }

    /// Only reading the page needs no key: a POST to it announcing 30 MB, without a key, is refused on its head,
    /// before any of the body is read.
    @Test func anUnauthenticatedPostToTheDashboard_isRefusedBeforeItsBody() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let harness = try rig(ledger: path)
        let client = try harness.client()
        try client.send("POST /dashboard HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 31457280\r\n\r\n")
        #expect(try client.readHead().status == 401)
    }

    /// Earlier days come from the ledger (read in the background after start-up); today's requests are counted
    /// as they end, and never twice.
    @Test func reportCountsTheLedgersEarlierDays_andLiveRequests_once() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ledger =
            earlierRecord(daysAgo: 40, client: "fred", cost: 7) + earlierRecord(daysAgo: 3, client: "fred", cost: 0.25)
            + earlierRecord(daysAgo: 3, client: "gone", cost: 0.125) + earlierRecord(daysAgo: 0, client: "fred", cost: 0.001)
        try ledger.write(toFile: path, atomically: true, encoding: .utf8)
        let harness = try rig(ledger: path)
        #expect(harness.eventually { harness.proxy.state.historyIsComplete.load(ordering: .acquiring) })
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(), headers: ["Authorization": "Bearer \(Self.memberKey)"])
        #expect(try client.readResponse().status == 200)
        let limiter = harness.proxy.state.limiter
        #expect(harness.eventually { limiter.standings(at: UTCClock.now())["fred"]?.costReservedToday == .zero })

        let response = try report(harness, key: Self.adminKey)
        let json = try #require(response.json)
        #expect(response.header("Cache-Control") == "no-store")
        let members = try #require(json["members"] as? [[String: Any]])
        #expect(members.map { $0["name"] as? String } == ["erin", "fred", "gone"])
        let fred = members[1]
        let fredDays = try #require(fred["days"] as? [[String: Any]])
        #expect(fredDays.count == 31)
        #expect(fredDays.last?["day"] as? String == UTCClock.now().day)
        #expect(fredDays.last?["requests"] as? Int == 2)
        #expect((fredDays.last?["cost_usd"] as? NSNumber)?.doubleValue == 0.006023)
        #expect((fredDays[27]["cost_usd"] as? NSNumber)?.doubleValue == 0.25)
        #expect(fredDays.compactMap { ($0["requests"] as? Int) }.reduce(0, +) == 3, "the 40-day-old record is not shown")
        #expect(fred["requests_today"] as? Int == 2)
        #expect((fred["cost_usd_today"] as? NSNumber)?.doubleValue == 0.006023)
        #expect((fred["left"] as? [String: Any])?["usd_today"] as? NSNumber == NSNumber(value: 0.493977))
        #expect(members[2]["configured"] as? Bool == false)
        let total = try #require(json["total"] as? [String: Any])
        #expect(((total["budget"] as? [String: Any])?["usd_per_month"] as? NSNumber)?.doubleValue == 10)
        #expect(((total["days"] as? [[String: Any]])?[27]["cost_usd"] as? NSNumber)?.doubleValue == 0.375)
        #expect(json["history_complete"] as? Bool == true)
    }

    /// Without a monthly budget start-up reads only today; the month's earlier days come with the background read,
    /// so "this month" is right once it is done (and a monthly budget added by a reload would count them).
    @Test func theMonthsEarlierDays_areAddedAfterTheBackgroundRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("admin-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let ledger = earlierRecord(daysAgo: 1, client: "fred", cost: 0.5) + earlierRecord(daysAgo: 0, client: "fred", cost: 0.25)
        try ledger.write(toFile: path, atomically: true, encoding: .utf8)
        let harness = try rig(ledger: path)
        #expect(harness.eventually { harness.proxy.state.historyIsComplete.load(ordering: .acquiring) })
        let clock = UTCClock.now()
        let yesterdayIsThisMonth = UTCClock.day(1, before: time(nil)).hasPrefix(clock.month)
        let fred = harness.proxy.state.limiter.standings(at: clock)["fred"]
        #expect(fred?.costToday == USDAmount(decimal: "0.25"))
        #expect(fred?.costMonth == USDAmount(decimal: yesterdayIsThisMonth ? "0.75" : "0.25"))
    }
}
