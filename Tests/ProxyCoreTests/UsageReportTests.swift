import Testing

@testable import ProxyCore

private func record(
    _ timestamp: String, _ client: String, _ model: String, _ outcome: String, tokens: (Int, Int, Int),
    cost: Double?
) -> UsageRecord {
    UsageRecord(
        timestamp: timestamp, requestID: "req_\(timestamp)", client: client, model: model, upstreamModel: model,
        stream: true, status: outcome == "ok" ? 200 : 502, outcome: outcome, promptTokens: tokens.0,
        completionTokens: tokens.1, totalTokens: tokens.2, costUSD: cost, ttfbMs: 10, durationMs: 100)
}

private let records = [
    record("2026-02-28T23:59:59.999Z", "alice", "sonar", "ok", tokens: (1, 2, 3), cost: 0.001),
    record("2026-03-01T00:00:00.000Z", "alice", "sonar", "ok", tokens: (9, 14, 23), cost: 0.005023),
    record("2026-03-01T10:00:00.000Z", "alice", "sonar-pro", "upstream_error", tokens: (9, 0, 9), cost: nil),
    record("2026-03-02T08:00:00.000Z", "bob", "sonar", "ok", tokens: (100, 200, 300), cost: 0.01),
    record("2026-03-02T09:00:00.000Z", "bob", "sonar", "client_aborted", tokens: (5, 1, 6), cost: 0.005),
]

/// The ledger as written, with a torn final line as a crash mid-write would leave it.
private let ledger: [UInt8] = records.flatMap(\.jsonLine) + records[0].jsonLine.prefix(40)

@Suite struct UsageReportTests {
    @Test func byDayAndMonth_totalsEachBudgetPeriod() {
        let days = UsageReport(ledger: ledger, by: .day, since: nil).rows
        #expect(days.map(\.key) == ["2026-02-28", "2026-03-01", "2026-03-02"])
        #expect(days.map(\.cost.description) == ["0.001", "0.005023", "0.015"])
        let months = UsageReport(ledger: ledger, by: .month, since: nil).rows
        #expect(months.map(\.key) == ["2026-02", "2026-03"])
        #expect(months.map(\.requests) == [1, 4])
        #expect(months.last?.cost.description == "0.020023")
    }

    @Test func tornLastLine_isSkippedAndCounted() {
        let report = UsageReport(ledger: ledger, by: .client, since: nil)
        #expect(report.skippedLines == 1)
        #expect(report.rows.map(\.requests).reduce(0, +) == records.count)
    }

    @Test func foreignLinesAreCounted_blankLinesAreNot() {
        let text = Array("\n\nhello\n".utf8) + records[1].jsonLine + Array("\n{\"x\":1}\n\n".utf8)
        let report = UsageReport(ledger: text, by: .model, since: nil)
        #expect(report.skippedLines == 2)
        #expect(report.rows.map(\.key) == ["sonar"])
    }

    @Test func groupingByClient_sumsEachClientsRecords() {
        let report = UsageReport(ledger: ledger, by: .client, since: nil)
        #expect(
            report.rows == [
                UsageReport.Row(
                    key: "alice", requests: 3, errors: 1, promptTokens: 19, completionTokens: 16, totalTokens: 35,
                    cost: USDAmount(nanos: 6_023_000)),
                UsageReport.Row(
                    key: "bob", requests: 2, errors: 1, promptTokens: 105, completionTokens: 201, totalTokens: 306,
                    cost: USDAmount(nanos: 15_000_000)),
            ])
    }

    @Test func groupingByModel_countsEveryOutcomeButOkAsAnError() {
        let report = UsageReport(ledger: ledger, by: .model, since: nil)
        #expect(report.rows.map(\.key) == ["sonar", "sonar-pro"])
        #expect(report.rows.map(\.requests) == [4, 1])
        #expect(report.rows.map(\.errors) == [1, 1])
        #expect(report.rows.map(\.totalTokens) == [332, 9])
    }

    @Test func since_keepsRecordsFromThatUTCDayOn() {
        let fromFirst = UsageReport(ledger: ledger, by: .client, since: "2026-03-01")
        #expect(fromFirst.rows.map(\.requests) == [2, 2])
        #expect(fromFirst.rows.map(\.promptTokens) == [18, 105])
        let fromSecond = UsageReport(ledger: ledger, by: .client, since: "2026-03-02")
        #expect(fromSecond.rows.map(\.key) == ["bob"])
        let future = UsageReport(ledger: ledger, by: .client, since: "2026-03-03")
        #expect(future.rows.isEmpty)
        // The torn line's timestamp is from before `since`: it is passed over unread, not counted as unreadable.
        #expect(future.skippedLines == 0)
    }

    @Test func table_byClient_isRightAlignedFixedWidthText() {
        let report = UsageReport(ledger: ledger, by: .client, since: "2026-03-01")
        #expect(
            report.table(grouping: .client) == """
                client  requests  errors  prompt_tokens  completion_tokens  total_tokens  cost_usd
                alice          2       1             18                 14            32  0.005023
                bob            2       1            105                201           306     0.015

                """)
    }

    @Test func table_byModel_widensTheKeyColumn_andPrintsCostsExactly() {
        let report = UsageReport(ledger: ledger, by: .model, since: "2026-03-01")
        #expect(
            report.table(grouping: .model) == """
                model      requests  errors  prompt_tokens  completion_tokens  total_tokens  cost_usd
                sonar             3       1            114                215           329  0.020023
                sonar-pro         1       1              9                  0             9         0

                """)
    }

    @Test func table_withoutRecords_isJustTheHeader() {
        let report = UsageReport(ledger: [], by: .client, since: nil)
        #expect(
            report.table(grouping: .client)
                == "client  requests  errors  prompt_tokens  completion_tokens  total_tokens  cost_usd\n")
    }

    @Test func jsonLines_isOneSortedKeyObjectPerRow() {
        let report = UsageReport(ledger: ledger, by: .client, since: "2026-03-01")
        #expect(
            report.jsonLines(grouping: .client) == """
                {"client":"alice","completion_tokens":14,"cost_usd":0.005023,"errors":1,"prompt_tokens":18,"requests":2,"total_tokens":32}
                {"client":"bob","completion_tokens":201,"cost_usd":0.015,"errors":1,"prompt_tokens":105,"requests":2,"total_tokens":306}

                """)
        let byModel = UsageReport(ledger: ledger, by: .model, since: "2026-03-02")
        #expect(
            byModel.jsonLines(grouping: .model) == """
                {"completion_tokens":201,"cost_usd":0.015,"errors":1,"model":"sonar","prompt_tokens":105,"requests":2,"total_tokens":306}

                """)
    }

    @Test func costs_sumExactly() {
        let lines = (0..<66).map { i in record("2026-03-01T00:00:\(10 + i % 40).000Z", "a", "sonar", "ok", tokens: (1, 1, 2), cost: 0.001) }
        let report = UsageReport(ledger: lines.flatMap(\.jsonLine), by: .client, since: nil)
        #expect(report.rows.first?.cost.description == "0.066")
        #expect(report.jsonLines(grouping: .client).contains(#""cost_usd":0.066,"#))
    }

    @Test func jsonLines_withoutRecords_isEmpty() {
        #expect(UsageReport(ledger: [], by: .model, since: nil).jsonLines(grouping: .model) == "")
    }
}
