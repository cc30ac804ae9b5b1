import Testing

@testable import ProxyCore

/// A 2xx from upstream is relayed as a success only when it is what was asked for.
@Suite struct UpstreamAnswerCheckTests {
    private func problem(_ body: String, _ kind: UpstreamBodyKind, type: String? = "application/json") -> OpenAIError? {
        UpstreamAnswerCheck.read(body: Array(body.utf8), kind: kind, contentType: type).problem
    }

    @Test func realAnswers_pass() {
        #expect(problem(#"{"id":"x","object":"chat.completion","choices":[]}"#, .chatCompletion) == nil)
        #expect(problem(#"{"id":"resp_1","object":"response","status":"failed","error":{"message":"x"}}"#, .agentResponse) == nil)
        #expect(problem(#"{"id":"resp_1","output":[]}"#, .agentResponse) == nil)
    }

    @Test func htmlPage_isInvalidResponse() {
        let error = problem("<html><body>Bad gateway</body></html>", .chatCompletion, type: "text/html")
        #expect(error?.status == 502)
        #expect(error?.code == "upstream_invalid_response")
        #expect(error?.message.contains("text/html") == true)
        #expect(error?.message.contains("<html") == false)
    }

    @Test func errorObjectWithSuccessStatus_isInvalidResponseCarryingItsMessage() {
        let error = problem(#"{"error":{"message":"auth was Bearer [redacted]","type":"x"}}"#, .chatCompletion)
        #expect(error?.code == "upstream_invalid_response")
        #expect(error?.message.contains("auth was Bearer [redacted]") == true)
        #expect(problem(#"{"error":{"message":"nope"}}"#, .agentResponse)?.code == "upstream_invalid_response")
    }

    @Test func otherJSON_isInvalidResponse() {
        #expect(problem(#"{"hello":"world"}"#, .chatCompletion)?.code == "upstream_invalid_response")
        #expect(problem(#"[1,2]"#, .agentResponse)?.code == "upstream_invalid_response")
        #expect(problem("", .agentResponse)?.code == "upstream_invalid_response")
    }

    @Test func streamingAnswer_mustBeAnEventStream() {
        #expect(UpstreamAnswerCheck.isEventStream(contentType: "text/event-stream; charset=utf-8"))
        #expect(UpstreamAnswerCheck.isEventStream(contentType: nil))
        #expect(!UpstreamAnswerCheck.isEventStream(contentType: "application/json"))
        let error = UpstreamAnswerCheck.notAStream(body: Array(#"{"error":{"message":"quota"}}"#.utf8), contentType: "application/json")
        #expect(error.code == "upstream_invalid_response")
        #expect(error.message.contains("quota"))
    }

    @Test func aChatCompletionsUsage_isReadInTheSamePass() {
        let body =
            #"{"object":"chat.completion","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":14,"cost":{"total_cost":0.005023}}}"#
        let reading = UpstreamAnswerCheck.read(body: Array(body.utf8), kind: .chatCompletion, contentType: nil)
        #expect(reading.problem == nil)
        #expect(reading.usage?.promptTokens == 9)
        #expect(reading.usage?.completionTokens == 14)
        #expect(reading.usage?.totalTokens == 23)
        #expect(reading.usage?.costUSD == 0.005023)
        let noUsage = UpstreamAnswerCheck.read(body: Array(#"{"choices":[],"usage":null}"#.utf8), kind: .chatCompletion, contentType: nil)
        #expect(noUsage.problem == nil && noUsage.usage == nil)
    }
}
