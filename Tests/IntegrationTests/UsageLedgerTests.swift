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
