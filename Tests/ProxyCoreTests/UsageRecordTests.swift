import Testing

@testable import ProxyCore

/// The ledger keys in the order CONTRACT.md "Usage ledger" lists them.
private let contractKeys = [
    "ts", "request_id", "client", "model", "upstream_model", "stream", "status", "outcome", "prompt_tokens",
    "completion_tokens", "total_tokens", "cost_usd", "ttfb_ms", "duration_ms",
]

private let sample = UsageRecord(
    timestamp: "2026-03-01T12:34:56.789Z", requestID: "req_0123456789abcdef01234567", client: "alice", model: "sonar",
    upstreamModel: "sonar-pro", stream: true, status: 200, outcome: "ok", promptTokens: 9, completionTokens: 14,
    totalTokens: 23, costUSD: 0.005023, ttfbMs: 12.5, durationMs: 250)

private func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

@Suite struct UsageRecordTests {
    @Test func jsonLine_isOneCompactObjectWithTheContractKeysInOrder() {
        let expected =
            #"{"ts":"2026-03-01T12:34:56.789Z","request_id":"req_0123456789abcdef01234567","client":"alice","#
            + #""model":"sonar","upstream_model":"sonar-pro","stream":true,"status":200,"outcome":"ok","prompt_tokens":9,"#
            + #""completion_tokens":14,"total_tokens":23,"cost_usd":0.005023,"ttfb_ms":12.5,"duration_ms":250.0}"#
            + "\n"
        #expect(text(sample.jsonLine) == expected)
    }

    @Test func jsonLine_keyOrder_matchesTheContract() throws {
        let line = sample.jsonLine
        var positions: [Int] = []
        for key in contractKeys {
            let needle = Array("\"\(key)\":".utf8)
            let position = line.indices.first { line[$0...].starts(with: needle) }
            positions.append(try #require(position, "missing \(key)"))
        }
        #expect(positions == positions.sorted())
        let members = try #require(try JSONValue.parse(sample.jsonLine).objectValue)
        #expect(Set(members.keys) == Set(contractKeys))
    }

    @Test func jsonLine_writesNullForUnknownCostAndFirstByte() {
        var record = sample
        record.costUSD = nil
        record.ttfbMs = nil
        record.stream = false
        record.status = 502
        record.outcome = "upstream_error"
        let line = text(record.jsonLine)
        #expect(line.contains(#""stream":false,"status":502,"outcome":"upstream_error","#))
        #expect(line.hasSuffix(#""cost_usd":null,"ttfb_ms":null,"duration_ms":250.0}"# + "\n"))
    }

    @Test func jsonLine_escapesStrings_andStaysOnOneLine() {
        var record = sample
        record.client = "team \"blue\"\\ops\nline2"
        let line = record.jsonLine
        #expect(text(line).contains(#""client":"team \"blue\"\\ops\nline2","#))
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(line.last == UInt8(ascii: "\n"))
    }

    @Test func jsonLine_roundTrips() {
        #expect(UsageRecord(jsonLine: sample.jsonLine) == sample)
        #expect(UsageRecord(jsonLine: sample.jsonLine.dropLast()) == sample)
        var record = sample
        record.costUSD = nil
        record.ttfbMs = nil
        record.client = "ünï \"q\""
        record.durationMs = 0.001
        #expect(UsageRecord(jsonLine: record.jsonLine) == record)
    }

    @Test func tornOrForeignLines_areNotRecords() {
        let line = sample.jsonLine
        for cut in [1, 10, line.count / 2, line.count - 2] {
            #expect(UsageRecord(jsonLine: line.prefix(cut)) == nil, "cut at \(cut)")
        }
        #expect(UsageRecord(jsonLine: Array("not json".utf8)) == nil)
        #expect(UsageRecord(jsonLine: Array("[1,2]".utf8)) == nil)
        #expect(UsageRecord(jsonLine: Array(#"{"model":"sonar"}"#.utf8)) == nil)
        #expect(UsageRecord(jsonLine: Array(#"{"ts":"2026-03-01T00:00:00.000Z"}"#.utf8)) == nil)
    }

    @Test func minimalLine_fillsDefaults() {
        let record = UsageRecord(jsonLine: Array(#"{"ts":"2026-03-01T00:00:00.000Z","model":"sonar"}"#.utf8))
        #expect(
            record
                == UsageRecord(
                    timestamp: "2026-03-01T00:00:00.000Z", requestID: "", client: "", model: "sonar", upstreamModel: "sonar",
                    stream: false, status: 0, outcome: "", promptTokens: 0, completionTokens: 0, totalTokens: 0, costUSD: nil,
                    ttfbMs: nil, durationMs: 0))
    }

    @Test func timestampNow_isUTCWithMilliseconds() {
        let stamp = Array(UsageRecord.timestampNow().utf8)
        #expect(stamp.count == 24)
        let shape = Array("dddd-dd-ddTdd:dd:dd.dddZ".utf8)
        for (byte, expected) in zip(stamp, shape) {
            if expected == UInt8(ascii: "d") {
                #expect((UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte))
            } else {
                #expect(byte == expected)
            }
        }
        #expect(stamp.prefix(2) == [UInt8(ascii: "2"), UInt8(ascii: "0")])
    }
}
