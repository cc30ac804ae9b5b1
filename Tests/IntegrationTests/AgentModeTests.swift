import Foundation
import MockUpstream
import ProxyCore
import Testing

/// Agent mode over real sockets: chat completions in, Agent API upstream, chat chunks out.
@Suite struct AgentModeTests {
    @Test func stream_translatesAgentEvents_intoSonarShapedChunks() throws {
        let harness = try ProxyHarness(api: .agent)
        let response = try harness.chat(model: "sonar")
        #expect(response.status == 200)
        #expect(streamedText(response.body) == CanonicalAnswer.text)
        let chunks = sseChunks(response.body)
        #expect(chunks.allSatisfy { $0["model"] as? String == "sonar" && $0["object"] as? String == "chat.completion.chunk" })
        let finish = try #require(chunks.last)
        #expect(finish["citations"] as? [String] == CanonicalAnswer.citations)
        #expect((finish["usage"] as? [String: Any])?["prompt_tokens"] as? Int == 9)
        #expect(sseDataPayloads(response.body).last == "[DONE]")
        // The upstream got a valid Agent API body built from the allowlist, with the route's model and tools.
        let forwarded = try #require(try JSONSerialization.jsonObject(with: Data(harness.mock.statistics.lastBody)) as? [String: Any])
        #expect(forwarded["model"] as? String == "perplexity/sonar")
        #expect(forwarded["messages"] == nil)
        #expect(forwarded["input"] != nil)
    }

    @Test func nonStreaming_returnsOneChatCompletion() throws {
        let harness = try ProxyHarness(api: .agent)
        let response = try harness.chat(stream: false)
        #expect(response.status == 200)
        let json = try #require(response.json)
        #expect(json["object"] as? String == "chat.completion")
        let message = (json["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
        #expect(message?["content"] as? String == CanonicalAnswer.text)
        #expect(json["citations"] as? [String] == CanonicalAnswer.citations)
    }

    @Test func clientDisconnect_cancelsTheAgentRun() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/chat/completions", json: ProxyHarness.chatBody(scenario: "stall"))
        _ = try client.readHead()
        _ = try client.readChunk()
        client.close()
        #expect(harness.eventually { harness.mock.statistics.cancellations.count == 1 })
        #expect(harness.mock.statistics.cancellations.first?.hasPrefix("resp_") == true)
    }

    @Test func failedRun_endsStreamWithErrorEvent() throws {
        let harness = try ProxyHarness(api: .agent)
        let response = try harness.chat(scenario: "failed")
        #expect(response.status == 200)
        #expect(response.text.contains("event: error\ndata: {\"error\":"))
    }

    @Test func unknownModel_gets400() throws {
        let harness = try ProxyHarness(api: .agent)
        let response = try harness.chat(model: "gpt-4o")
        #expect(response.status == 400)
        #expect((response.json?["error"] as? [String: Any])?["code"] as? String == "model_not_found")
    }

    @Test func responsesEndpoint_passesAgentStreamThrough() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/responses", json: #"{"model":"perplexity/sonar","stream":true,"input":"What is the capital of France?"}"#)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text.contains("event: response.completed"))
        #expect(harness.mock.statistics.lastAuthorizationMatches)
    }

    @Test func responsesEndpoint_endsAtTerminalEvent_evenWhenUpstreamHoldsSocketOpen() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/responses", json: #"{"model":"perplexity/sonar","stream":true,"input":"Capital of France? mock:hold-open"}"#)
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.text.hasSuffix("\n\n"))
        #expect(response.text.contains("event: response.completed"))
    }

    @Test func responsesEndpoint_clientDisconnect_cancelsTheRun() throws {
        let harness = try ProxyHarness(api: .agent)
        let client = try harness.client()
        try client.post("/v1/responses", json: #"{"model":"perplexity/sonar","stream":true,"input":"Capital of France? mock:stall"}"#)
        _ = try client.readHead()
        _ = try client.readChunk()
        client.close()
        #expect(harness.eventually { harness.mock.statistics.cancellations.count == 1 })
    }
}
