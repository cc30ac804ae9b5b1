import Foundation
import Logging
import Synchronization
import Testing

@testable import ProxyCore

/// What the ledger does when the disk fails under it: nothing lost, nothing silent, nothing glued together.
@Suite struct UsageLedgerWriteTests {
    /// A disk that can be told to fill up: `.full` fails every write with ENOSPC, `.partial(n)` takes `n` bytes
    /// of the next write and then is full.
    final class FlakyDisk: Sendable {
        enum Mode: Sendable { case healthy, full, partial(Int) }
        let mode = Mutex(Mode.healthy)

        var write: UsageLedger.WriteFunction {
            { [self] fd, bytes, count in
                let current = mode.withLock { $0 }
                switch current {
                case .healthy:
                    return Glibc.write(fd, bytes, count)
                case .full:
                    errno = ENOSPC
                    return -1
                case .partial(let allowed):
                    mode.withLock { $0 = .full }
                    return Glibc.write(fd, bytes, min(allowed, count))
                }
            }
        }
    }

    private func record(_ id: Int) -> UsageRecord {
        UsageRecord(
            timestamp: "2026-12-05T10:00:00.000Z", requestID: "req_\(id)", client: "alice", model: "sonar", upstreamModel: "sonar",
            stream: true, status: 200, outcome: "ok", promptTokens: 1, completionTokens: 2, totalTokens: 3, costUSD: 0.001,
            ttfbMs: 1, durationMs: 2)
    }

    private func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString).jsonl").path
    }

    @Test func fullDisk_keepsRecordsInMemory_countsAndLogsOnce_thenWritesThemInOrder() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let disk = FlakyDisk()
        let metrics = ProxyMetrics()
        let logs = LogSink.memory()
        let logger = Logger(label: "test") { LineLogHandler(label: $0, level: .debug, sink: logs) }
        let ledger = try UsageLedger(path: path, metrics: metrics, logger: logger, write: disk.write)
        ledger.append(record(1))
        disk.mode.withLock { $0 = .full }
        for id in 2...5 { ledger.append(record(id)) }
        #expect(!ledger.isWritable)
        #expect(ledger.pendingCount == 4)
        #expect(metrics.ledgerWriteErrors.load == 4)
        #expect(metrics.ledgerPendingRecords.load == 4)
        #expect(logs.lines.filter { $0.contains("usage ledger write failed") }.count == 1)
        disk.mode.withLock { $0 = .healthy }
        ledger.retryPending()
        #expect(ledger.isWritable)
        let ids = try lines(path).compactMap { UsageRecord(jsonLine: Array($0.utf8))?.requestID }
        #expect(ids == (1...5).map { "req_\($0)" })
        #expect(logs.lines.contains { $0.contains("writable again") })
    }

    @Test(arguments: [20, 1, 0])
    func shortWrite_isFinishedWhereItStopped_neitherTornNorDuplicated(missing: Int) throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let disk = FlakyDisk()
        let ledger = try UsageLedger(path: path, write: disk.write)
        ledger.append(record(1))
        // The disk fills after all but `missing` bytes of the record (1: all but its newline; 0: all of it).
        let length = record(2).jsonLine.count
        disk.mode.withLock { $0 = .partial(length - missing) }
        ledger.append(record(2))
        disk.mode.withLock { $0 = .healthy }
        ledger.append(record(3))
        let all = try lines(path).filter { !$0.isEmpty }
        #expect(all.compactMap { UsageRecord(jsonLine: Array($0.utf8))?.requestID } == ["req_1", "req_2", "req_3"])
        #expect(all.count == 3)
    }

    @Test func aLedgerLeftMidLine_getsAFreshLineBeforeTheNextRecord() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try #"{"ts":"2026-12-05T09:00:00.000Z","model":"sonar","cli"#.write(toFile: path, atomically: true, encoding: .utf8)
        let ledger = try UsageLedger(path: path)
        ledger.append(record(1))
        let all = try lines(path).filter { !$0.isEmpty }
        #expect(all.count == 2)
        #expect(UsageRecord(jsonLine: Array(all[1].utf8))?.requestID == "req_1")
    }

    @Test func removedLedgerThatCannotBeRecreated_keepsRecordsWaiting() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gone-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/usage.jsonl"
        let ledger = try UsageLedger(path: path)
        ledger.append(record(1))
        try FileManager.default.removeItem(atPath: directory)
        ledger.reopen()
        ledger.append(record(2))
        // Written nowhere a reader could find it would be a silent loss: it waits instead.
        #expect(ledger.pendingCount == 1)
        #expect(!ledger.isWritable)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        ledger.reopen()
        #expect(ledger.pendingCount == 0)
        #expect(try lines(path).compactMap { UsageRecord(jsonLine: Array($0.utf8))?.requestID } == ["req_2"])
    }

    @Test func tooManyWaitingRecords_areDroppedAndCounted() throws {
        let path = temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let disk = FlakyDisk()
        disk.mode.withLock { $0 = .full }
        let metrics = ProxyMetrics()
        let ledger = try UsageLedger(path: path, metrics: metrics, write: disk.write)
        for id in 0..<(UsageLedger.maxPending + 3) { ledger.append(record(id)) }
        #expect(ledger.pendingCount == UsageLedger.maxPending)
        #expect(metrics.ledgerRecordsDropped.load == 3)
    }

    @Test func movedLedger_isReopenedAtItsPath() throws {
        let path = temporaryPath()
        let moved = path + ".1"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: moved)
        }
        let ledger = try UsageLedger(path: path)
        ledger.append(record(1))
        try FileManager.default.moveItem(atPath: path, toPath: moved)
        ledger.reopen()
        ledger.append(record(2))
        #expect(try lines(moved).compactMap { UsageRecord(jsonLine: Array($0.utf8))?.requestID } == ["req_1"])
        #expect(try lines(path).compactMap { UsageRecord(jsonLine: Array($0.utf8))?.requestID } == ["req_2"])
    }
}
