import Foundation
import Testing

@testable import ProxyCore

/// The ledger is read in constant memory, forwards for reports and backwards for start-up, whatever the block
/// boundaries.
@Suite struct LedgerReaderTests {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString).jsonl").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func forwards(_ path: String) -> [String] {
        var lines: [String] = []
        _ = LedgerReader.forEachLine(path: path) { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    private func backwards(_ path: String, while keep: (String) -> Bool = { _ in true }) -> [String] {
        var lines: [String] = []
        _ = LedgerReader.forEachLineBackwards(path: path) { raw in
            let line = String(decoding: raw, as: UTF8.self)
            guard keep(line) else { return false }
            lines.append(line)
            return true
        }
        return lines
    }

    @Test func smallFile_isReadBothWays_andATornLastLineIsSkippedBackwards() throws {
        let path = try file("a\nbb\n\nccc\ntorn")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(forwards(path) == ["a", "bb", "", "ccc", "torn"])
        #expect(backwards(path) == ["ccc", "bb", "a"])
    }

    @Test func linesStraddlingBlocks_areWhole() throws {
        // Lines of varied length across several 1 MiB blocks.
        var text = ""
        var expected: [String] = []
        var n = 0
        while text.utf8.count < 3 * LedgerReader.blockSize + 1_000 {
            let line = String(repeating: Character(UnicodeScalar(UInt8(97 + n % 26))), count: 1 + (n * 7_919) % 70_000)
            expected.append(line)
            text += line + "\n"
            n += 1
        }
        let path = try file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(forwards(path) == expected)
        #expect(backwards(path) == expected.reversed())
    }

    @Test func backwards_stopsWhenAsked() throws {
        let path = try file((1...100).map { "line \($0)" }.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(backwards(path) { $0 != "line 97" } == ["line 100", "line 99", "line 98"])
    }

    @Test func missingFile_isAnError() {
        #expect(throws: ConfigValueError.self) { try LedgerReader.forEachLine(path: "/nonexistent/ledger") { _ in }.get() }
    }

    @Test func totals_readOnlyToday_fromTheEnd() throws {
        func line(_ ts: String, _ client: String, _ tokens: Int, prompt: Int = 1) -> String {
            String(
                decoding: UsageRecord(
                    timestamp: ts, requestID: "r", client: client, model: "sonar", upstreamModel: "sonar", stream: true, status: 200,
                    outcome: "ok", promptTokens: prompt, completionTokens: tokens - prompt, totalTokens: tokens, costUSD: nil, ttfbMs: nil,
                    durationMs: 1
                ).jsonLine, as: UTF8.self)
        }
        let text =
            line("2026-12-04T23:59:59.000Z", "alice", 1_000) + line("2026-12-05T00:00:01.000Z", "alice", 10)
            + line("2026-12-05T08:00:00.000Z", "bob", 20, prompt: 7) + "garbage\n" + line("2026-12-05T09:00:00.000Z", "alice", 5)
            + #"{"ts":"2026-12-05T09:00:01.000Z","cli"#
        let path = try file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let totals = LedgerTotals.read(path: path, clock: Self.clock, month: false)
        #expect(totals.tokensToday == ["alice": 15, "bob": 20])
        #expect(totals.largestPrompts.largest(member: "bob", model: "sonar") == 7)
        #expect(totals.largestPrompts.largest(member: "alice", model: "sonar") == 1)
        #expect(totals.linesRead == 4)
    }

    private static let clock = UTCClock(day: "2026-12-05", secondsToDayEnd: 3_600, secondsToMonthEnd: 86_400 * 26 + 3_600)

    @Test func totals_readTheMonth_whenAMonthlyBudgetAsks_withChargedDollars() throws {
        func line(_ ts: String, _ client: String, cost: Double?, charged: USDAmount? = nil, model: String = "sonar") -> String {
            String(
                decoding: UsageRecord(
                    timestamp: ts, requestID: "r", client: client, model: model, upstreamModel: model, stream: true, status: 200,
                    outcome: "ok", promptTokens: 1, completionTokens: 1, totalTokens: 2, costUSD: cost, ttfbMs: nil, durationMs: 1,
                    chargedUSD: charged
                ).jsonLine, as: UTF8.self)
        }
        let text =
            line("2026-11-30T23:59:59.000Z", "alice", cost: 9) + line("2026-12-01T00:00:01.000Z", "alice", cost: 0.1)
            + line("2026-12-03T08:00:00.000Z", "bob", cost: 0.005023, model: "sonar-pro")
            + line("2026-12-05T09:00:00.000Z", "alice", cost: nil, charged: USDAmount(nanos: 50_000_000))
            + line("2026-12-05T10:00:00.000Z", "alice", cost: 0.006)
        let path = try file(text)
        defer { try? FileManager.default.removeItem(atPath: path) }

        let month = LedgerTotals.read(path: path, clock: Self.clock, month: true)
        #expect(month.costToday == ["alice": USDAmount(nanos: 56_000_000)])
        #expect(month.costMonth == ["alice": USDAmount(nanos: 156_000_000), "bob": USDAmount(nanos: 5_023_000)])
        #expect(month.teamCostToday == USDAmount(nanos: 56_000_000))
        #expect(month.teamCostMonth == USDAmount(nanos: 161_023_000))
        #expect(month.learnedCosts.largest(model: "sonar") == USDAmount(nanos: 100_000_000))
        #expect(month.learnedCosts.largest(model: "sonar-pro") == USDAmount(nanos: 5_023_000))

        let today = LedgerTotals.read(path: path, clock: Self.clock, month: false)
        #expect(today.costMonth == today.costToday)
        #expect(today.teamCostMonth == USDAmount(nanos: 56_000_000))
        #expect(today.learnedCosts.largest(model: "sonar") == USDAmount(nanos: 6_000_000))
    }
}
