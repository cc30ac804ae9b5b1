import Testing

@testable import ProxyCore

@Suite struct PassthroughRelayTests {
    private static let first =
        #"data: {"id": "p", "object": "chat.completion", "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi"}}]}"#
        + "\n\n"
    private static let second =
        #"data: {"id":"p","object":"chat.completion.done","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,"cost":{"total_cost":0.005}},"choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}]}"#
        + "\n\n"
    private static let done = "data: [DONE]\n\n"
    private static let stream = first + ": keep-alive\n\n" + second + done

    private func feed(_ relay: inout PassthroughRelay, _ text: String, into output: inout [UInt8]) -> StreamStep {
        Array(text.utf8).withUnsafeBytes { relay.consume($0, into: &output) }
    }

    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func relay_completeStream_isRelayedUnchangedAndFinishesAtDone() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        let step = feed(&relay, Self.stream, into: &output)
        #expect(text(output) == Self.stream)
        #expect(step == .finished)
    }

    @Test func relay_partialEvent_isHeldUntilItCompletes() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        #expect(feed(&relay, String(Self.first.dropLast()), into: &output) == .more)
        #expect(output.isEmpty)
        #expect(feed(&relay, "\n", into: &output) == .more)
        #expect(text(output) == Self.first)
    }

    @Test func relay_everySplitPoint_releasesOnlyWholeEventsAndTheSameBytes() {
        let bytes = Array(Self.stream.utf8)
        let boundaries: Set<Int> = [
            0, Self.first.utf8.count, (Self.first + ": keep-alive\n\n" + Self.second).utf8.count, bytes.count,
        ]
        for split in 0...bytes.count {
            var relay = PassthroughRelay()
            var output: [UInt8] = []
            _ = Array(bytes[..<split]).withUnsafeBytes { relay.consume($0, into: &output) }
            #expect(boundaries.contains(output.count), "split at \(split): released \(output.count) bytes")
            let step = Array(bytes[split...]).withUnsafeBytes { relay.consume($0, into: &output) }
            #expect(output == bytes, "split at \(split)")
            #expect(step == .finished)
        }
    }

    @Test func relay_bytesAfterDone_areDropped() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        let step = feed(&relay, Self.done + "data: {\"late\":true}\n\n", into: &output)
        #expect(step == .finished)
        #expect(text(output) == Self.done)
        #expect(feed(&relay, "more", into: &output) == .finished)
        #expect(text(output) == Self.done)
    }

    @Test func relay_upstreamEnded_releasesHeldBytesAndAddsNothing() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        let unterminated = Self.first + String(Self.second.dropLast(2))
        #expect(feed(&relay, unterminated, into: &output) == .more)
        #expect(text(output) == Self.first)
        relay.upstreamEnded(into: &output)
        #expect(text(output) == unterminated)
        #expect(relay.usage == StreamUsage(promptTokens: 3, completionTokens: 2, totalTokens: 5, costUSD: 0.005))
    }

    @Test func relay_upstreamFailed_dropsPartialEventAndAppendsErrorFrame() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        _ = feed(&relay, Self.first + "data: {\"id\"", into: &output)
        let error = UpstreamErrorMapper.map(.truncated)
        relay.upstreamFailed(error, into: &output)
        #expect(output == Array(Self.first.utf8) + error.sseFrame)
        relay.upstreamEnded(into: &output)
        #expect(output == Array(Self.first.utf8) + error.sseFrame)
    }

    @Test func relay_eofWithoutFinishReasonOrDone_dropsPartialEventAndEndsWithErrorFrame() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        _ = feed(&relay, Self.first + "data: {\"id\"", into: &output)
        relay.upstreamEnded(into: &output)
        #expect(text(output).hasPrefix(Self.first + "event: error\ndata: {\"error\":"))
        #expect(text(output).contains("upstream_stream_truncated"))
        #expect(relay.failure?.code == "upstream_stream_truncated")
    }

    @Test func relay_legacyStreamEndingAtFinishReasonWithoutDone_isComplete() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        _ = feed(&relay, Self.first + Self.second, into: &output)
        relay.upstreamEnded(into: &output)
        #expect(text(output) == Self.first + Self.second)
        #expect(relay.failure == nil)
    }

    @Test func relay_scansUsageAndCountsContentEvents() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        _ = feed(&relay, Self.first, into: &output)
        #expect(relay.usage == StreamUsage(promptTokens: 3, completionTokens: 1, totalTokens: 4, costUSD: nil))
        #expect(relay.chunksEmitted == 1)
        _ = feed(&relay, Self.second + Self.done, into: &output)
        #expect(relay.usage == StreamUsage(promptTokens: 3, completionTokens: 2, totalTokens: 5, costUSD: 0.005))
        #expect(relay.chunksEmitted == 1)
        #expect(relay.upstreamResponseID == nil)
    }

    @Test func relay_nonJSONEvents_arePassedOn() {
        var relay = PassthroughRelay()
        var output: [UInt8] = []
        let odd = "event: error\ndata: not json\n\n"
        #expect(feed(&relay, odd, into: &output) == .more)
        #expect(text(output) == odd)
        #expect(relay.usage == nil)
        #expect(relay.chunksEmitted == 0)
    }
}

@Suite struct AgentPassthroughRelayTests {
    static let created =
        "event: response.created\ndata: {\"type\":\"response.created\",\"sequence_number\":0,\"response\":{\"id\":\"resp_42\",\"created_at\":1790000000,\"status\":\"in_progress\",\"usage\":null}}\n\n"
    static let delta =
        "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"item_id\":\"msg_1\",\"output_index\":1,\"content_index\":0,\"delta\":\"Paris\",\"sequence_number\":5}\n\n"
    static let completed =
        "event: response.completed\ndata: {\"type\":\"response.completed\",\"sequence_number\":9,\"response\":{\"id\":\"resp_42\",\"status\":\"completed\",\"usage\":{\"input_tokens\":9,\"output_tokens\":14,\"total_tokens\":23}}}\n\n"

    @Test func agentWire_relaysUnchanged_andFinishesAtTerminalEvent() {
        var relay = PassthroughRelay(wire: .agent)
        var output: [UInt8] = []
        let input = Array((Self.created + Self.delta + Self.completed + ": the socket stays open\n\n").utf8)
        let step = input.withUnsafeBytes { relay.consume($0, into: &output) }
        #expect(step == .finished)
        #expect(String(decoding: output, as: UTF8.self) == Self.created + Self.delta + Self.completed)
        #expect(relay.upstreamResponseID == "resp_42")
        #expect(relay.chunksEmitted == 1)
        #expect(relay.usage?.totalTokens == 23)
    }

    @Test func agentWire_eofBeforeTerminalEvent_endsWithAgentShapedErrorEvent() {
        var relay = PassthroughRelay(wire: .agent)
        var output: [UInt8] = []
        _ = Array((Self.created + Self.delta).utf8).withUnsafeBytes { relay.consume($0, into: &output) }
        relay.upstreamEnded(into: &output)
        let text = String(decoding: output, as: UTF8.self)
        #expect(
            text.hasPrefix(Self.created + Self.delta + "event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_stream_truncated\""))
        #expect(relay.failure?.code == "upstream_stream_truncated")
    }
}
