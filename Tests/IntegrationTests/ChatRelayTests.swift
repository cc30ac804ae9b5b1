import Foundation
import MockUpstream
import ProxyCore
import Testing

/// The chat-mode relay over real sockets and real libcurl, against the in-process mock.
@Suite struct ChatRelayTests {
    @Test func finalMode_streamsCanonicalAnswer_withTrailingMetadata() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let response = try harness.chat()
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/event-stream")
        #expect(response.header("Cache-Control") == "no-cache")
        #expect(response.header("X-Accel-Buffering") == "no")
        #expect(response.header("Transfer-Encoding") == "chunked")
        #expect(streamedText(response.body) == CanonicalAnswer.text)
        let chunks = sseChunks(response.body)
        let finish = try #require(chunks.last)
        let choice = try #require((finish["choices"] as? [[String: Any]])?.first)
        #expect(choice["finish_reason"] as? String == "stop")
        #expect(finish["citations"] as? [String] == CanonicalAnswer.citations)
        #expect((finish["usage"] as? [String: Any])?["total_tokens"] as? Int == 23)
        #expect(sseDataPayloads(response.body).last == "[DONE]")
    }

    @Test func passthrough_relaysUpstreamBytesUnchanged() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .passthrough)
        let response = try harness.chat()
        #expect(response.status == 200)
        let payloads = sseDataPayloads(response.body)
        #expect(payloads.last == "[DONE]")
        // Upstream's own 2026 shape survives: the final chunk is still chat.completion.done.
        #expect(sseChunks(response.body).last?["object"] as? String == "chat.completion.done")
    }

    @Test func relay_deliversFirstEvent_whileUpstreamStillHoldsTheRest() throws {
        // The `stall` scenario sends one event and then nothing: the client can only see that event if the proxy
        // relays as it arrives instead of buffering.
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"))
        let head = try client.readHead()
        #expect(head.status == 200)
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains("\"content\"") {
            guard let chunk = try client.readChunk() else { break }
            received += chunk
        }
        #expect(streamedText(received).isEmpty == false)
    }

    @Test func clientDisconnect_abortsUpstreamTransfer() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"))
        _ = try client.readHead()
        _ = try client.readChunk()
        client.close()
        #expect(harness.eventually { harness.mock.statistics.abortedStreams == 1 })
        #expect(harness.eventually { harness.proxy.state.metrics.streamsOpen.load == 0 })
    }

    @Test func upstreamHoldingSocketOpen_afterDone_stillEndsClientStream() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let response = try harness.chat(scenario: "done-hold-open")
        #expect(streamedText(response.body) == CanonicalAnswer.text)
        #expect(sseDataPayloads(response.body).last == "[DONE]")
    }

    @Test func twoHundredConcurrentStreams_allComplete() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let clients = try (0..<200).map { _ in try harness.client(timeoutSeconds: 30) }
        for client in clients {
            try client.post("/v1/chat/completions", json: ProxyHarness.chatBody())
        }
        var completed = 0
        for client in clients {
            let response = try client.readResponse()
            if response.status == 200, streamedText(response.body) == CanonicalAnswer.text { completed += 1 }
        }
        #expect(completed == 200)
    }

    @Test func slowReader_pausesUpstream_withBoundedBuffer_andLosesNothing() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .passthrough)
        let client = try harness.client(timeoutSeconds: 30)
        client.setReceiveBuffer(bytes: 64 * 1024)
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "flood"))
        // Not reading: the proxy must stop pulling from the upstream instead of buffering the flood.
        #expect(harness.eventually { harness.proxy.state.metrics.streamsPaused.load == 1 })
        #expect(harness.proxy.state.metrics.peakClientBacklog.load <= 64 * 1024)
        let response = try client.readResponse()
        #expect(response.status == 200)
        let payloads = sseDataPayloads(response.body)
        #expect(payloads.last == "[DONE]")
        #expect(streamedText(response.body).count == MockFlood.totalContentBytes)
    }

    @Test func nonStreaming_passesBodyThroughWithStatus() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let response = try harness.chat(stream: false)
        #expect(response.status == 200)
        let json = try #require(response.json)
        let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect(message?["content"] as? String == CanonicalAnswer.text)
        #expect(json["citations"] as? [String] == CanonicalAnswer.citations)
    }

    @Test func upstreamReceivesProxyKey_notCallerKey_andIsAskedForUsage() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .final)
        let client = try harness.client()
        try client.post(
            "/v1/chat/completions",
            json: ProxyHarness.chatBody(extra: #","stream_options":{"include_usage":true}"#),
            headers: ["Authorization": "Bearer sk-caller-key"])
        let response = try client.readResponse()
        #expect(response.status == 200)
        let stats = harness.mock.statistics
        #expect(stats.lastAuthorizationMatches)
        let forwarded = String(decoding: stats.lastBody, as: UTF8.self)
        #expect(forwarded.contains(#""stream_options":{"include_usage":true}"#))
        #expect(!forwarded.contains("sk-caller-key"))
        // include_usage is honoured by the proxy itself: a usage-only chunk with empty choices before [DONE].
        let usageChunk = try #require(sseChunks(response.body).last)
        #expect((usageChunk["choices"] as? [Any])?.isEmpty == true)
        #expect((usageChunk["usage"] as? [String: Any])?["total_tokens"] as? Int == 23)
    }
}

@Suite struct ChatUsageChunkTests {
    @Test func passthrough_showsTheUsageChunkOnlyToAClientThatAskedForIt() throws {
        let harness = try ProxyHarness(api: .chat, metadata: .passthrough)
        let plain = try harness.chat()
        #expect(plain.status == 200)
        #expect(!plain.text.contains(#""choices":[]"#))
        #expect(plain.text.contains("[DONE]"))
        let asked = try harness.chat(extra: #","stream_options":{"include_usage":true}"#)
        #expect(asked.text.contains(#""choices":[]"#))
    }
}
