import Foundation
import ProxyCore
import Testing

/// Every finished request leaves one ledger line with its tokens, before the client sees the response end.
@Suite struct UsageLedgerTests {
    @Test(arguments: [UpstreamAPI.chat, UpstreamAPI.agent])
    func streamingAndNonStreamingRequests_areRecorded(api: UpstreamAPI) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl").path
        let harness = try ProxyHarness(api: api) { $0.usageLedger = path }
        _ = try harness.chat(stream: true)
        _ = try harness.chat(stream: false)
        _ = try harness.chat(scenario: "error-400")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let records = lines.compactMap { UsageRecord(jsonLine: Array($0.utf8)) }
        #expect(records.count == 3)
        #expect(records.map(\.stream) == [true, false, true])
        #expect(records.prefix(2).allSatisfy { $0.totalTokens == 23 && $0.outcome == "ok" && $0.client == "anonymous" })
        #expect(records.last?.outcome == "upstream_error")
        #expect(records.last?.status == 400)
    }
}

/// Refusals and failed streams are ledgered with their own outcomes.
@Suite struct UsageLedgerOutcomeTests {
    private func ledger(_ path: String) throws -> [UsageRecord] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap { UsageRecord(jsonLine: Array($0.utf8)) }
    }

    @Test func refusedAndFailedRequests_areLedgeredAsRejectedAndUpstreamError() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl").path
        let harness = try ProxyHarness(api: .agent) { $0.usageLedger = path }
        #expect(try harness.chat(model: "not-configured").status == 400)
        #expect(try harness.chat(scenario: "failed").status == 200)
        let records = try ledger(path)
        #expect(records.map(\.outcome) == ["rejected", "upstream_error"])
        #expect(records.first?.status == 400)
        #expect(records.first?.model == "not-configured")
    }

    @Test func aTornLastLine_doesNotSwallowTheNextRecord() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl").path
        try #"{"ts":"2026-11-24T00:00:00.000Z","model":"sonar","client":"a"#.write(toFile: path, atomically: true, encoding: .utf8)
        let harness = try ProxyHarness(api: .chat) { $0.usageLedger = path }
        _ = try harness.chat()
        let records = try ledger(path)
        #expect(records.count == 1)
        #expect(records.first?.totalTokens == 23)
    }
}
