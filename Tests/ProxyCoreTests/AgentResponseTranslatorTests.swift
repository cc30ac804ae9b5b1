import Testing

@testable import ProxyCore

@Suite struct AgentResponseTranslatorTests {
    typealias F = AgentStreamFixtures

    private func translate(_ body: String) -> Result<String, OpenAIError> {
        AgentResponseTranslator.translate(Array(body.utf8), clientModel: "sonar").map {
            String(decoding: $0, as: UTF8.self)
        }
    }

    private func completion(content: String, reason: String, citations: String, searchResults: String, usage: String)
        -> String
    {
        #"{"id":"resp_123","object":"chat.completion","created":1790000000,"model":"sonar","choices":[{"index":0,"message":{"role":"assistant","content":"#
            + F.quoted(content) + #"},"finish_reason":""# + reason + #""}],"citations":"# + citations
            + #","search_results":"#
            + searchResults + #","usage":"# + usage + "}"
    }

    @Test func completedResponse_becomesOneChatCompletion() {
        let body = F.response(status: "completed", output: [F.searchResultsItem, F.messageItem(F.fullText)])
        #expect(
            translate(body)
                == .success(
                    completion(
                        content: F.fullText, reason: "stop", citations: F.citations, searchResults: F.searchResults,
                        usage: F.chatUsage)))
    }

    @Test func severalMessagesAndParts_areConcatenated_andFetchResultsAreSources() {
        let fetch = #"{"type":"fetch_url_results","contents":[{"url":"https://f.example/","title":"F","snippet":"s"}]}"#
        let twoParts =
            #"{"type":"message","id":"msg_2","role":"assistant","content":[{"type":"output_text","text":" Second"},{"type":"output_text","text":" part."}]}"#
        let body = F.response(status: "completed", output: [fetch, F.messageItem("First."), twoParts], usage: "null")
        #expect(
            translate(body)
                == .success(
                    completion(
                        content: "First. Second part.", reason: "stop", citations: #"["https://f.example/"]"#,
                        searchResults:
                            #"[{"title":"F","url":"https://f.example/","date":null,"last_updated":null,"snippet":"s","source":"web"}]"#,
                        usage: F.zeroUsage)))
    }

    @Test func incompleteResponse_finishesWithLength_evenWithEmptyOutput() {
        let body =
            #"{"id":"resp_123","created_at":1790000000,"status":"incomplete","incomplete_details":{"reason":"max_output_tokens"},"output":[],"usage":{"input_tokens":9,"output_tokens":16,"total_tokens":25,"output_tokens_details":{"reasoning_tokens":16}}}"#
        #expect(
            translate(body)
                == .success(
                    completion(
                        content: "", reason: "length", citations: "[]", searchResults: "[]",
                        usage:
                            #"{"prompt_tokens":9,"completion_tokens":16,"total_tokens":25,"reasoning_tokens":16,"num_search_queries":0}"#
                    )))
    }

    @Test func failedResponse_isA502UpstreamError() {
        let body =
            #"{"id":"resp_123","status":"failed","error":{"code":"server_error","message":"Model overloaded"},"output":[]}"#
        #expect(
            translate(body)
                == .failure(
                    OpenAIError(status: 502, type: "upstream_error", code: "server_error", message: "Model overloaded"))
        )
    }

    @Test func cancelledResponse_isA502UpstreamCancelled() {
        let body =
            #"{"id":"resp_123","status":"cancelled","error":{"code":"cancelled","message":"Run cancelled"},"incomplete_details":{"reason":"cancelled"},"output":[]}"#
        #expect(
            translate(body)
                == .failure(
                    OpenAIError(
                        status: 502, type: "upstream_error", code: "upstream_cancelled", message: "Run cancelled")))
    }

    @Test func unparseableOrNonObjectBody_isA502InvalidResponse() {
        for body in ["<html>oops</html>", "[1,2]", ""] {
            guard case .failure(let error) = translate(body) else {
                Issue.record("expected a failure for \(body)")
                continue
            }
            #expect(error.status == 502)
            #expect(error.code == "upstream_invalid_response")
        }
    }

    @Test func searchBillingSpelledWebSearch_stillCountsTheQueries() throws {
        let usage = F.agentUsage.replacingOccurrences(
            of: #""tool_calls_details":{"search_web""#, with: #""tool_calls_details":{"web_search""#)
        let body = F.response(status: "completed", output: [F.messageItem(F.fullText)], usage: usage)
        let completion = try JSONValue.parse(Array(try translate(body).get().utf8))
        #expect(completion["usage"]?["num_search_queries"] == .number("1"))
    }
}
