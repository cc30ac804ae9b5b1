import Foundation
import MockUpstream
import ProxyCore
import Testing

/// The emulator's scripts, checked without sockets: what each scenario sends, byte for byte where it matters.
@Suite struct MockResponderTests {
    private static let chatBody =
        #"{"model":"sonar","stream":true,"messages":[{"role":"user","content":"What is the capital of France?"}]}"#
    private static let agentBody = #"{"preset":"fast","stream":true,"input":"What is the capital of France?"}"#

    // MARK: Every scenario

    @Test(arguments: ChatScenario.allCases, [true, false])
    func chatScenario_startsWithHead_andSendsOnlyJSONData(_ scenario: ChatScenario, stream: Bool) throws {
        let script = chat(scenario: scenario.rawValue, body: Self.body(Self.chatBody, stream: stream))
        try expectWellFormed(script, silent: scenario == .noResponse)
    }

    @Test(arguments: AgentScenario.allCases, [true, false])
    func agentScenario_startsWithHead_andSendsOnlyJSONData(_ scenario: AgentScenario, stream: Bool) throws {
        let script = agent(scenario: scenario.rawValue, body: Self.body(Self.agentBody, stream: stream))
        try expectWellFormed(script, silent: scenario == .noResponse)
    }

    // MARK: Chat completions

    @Test func chatDefault_streamsCanonicalDeltas_thenDoneChunk_thenDONE() throws {
        let script = chat(scenario: nil, body: Self.chatBody)
        #expect(script.scenario == "default")
        #expect(
            script.steps.first
                == .head(status: 200, headers: [MockHeader("Content-Type", "text/event-stream"), MockHeader("Cache-Control", "no-cache")]))
        #expect(script.steps.last == .end)
        let events = try dataPayloads(script)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try JSONValue.parse($0) }
        #expect(chunks.dropLast().map { $0["choices"]?[0]?["delta"]?["content"]?.stringValue ?? "" }.joined() == CanonicalAnswer.text)
        #expect(
            chunks.dropLast().allSatisfy { $0["choices"]?[0]?["finish_reason"] == nil && $0["object"] == .string("chat.completion.chunk") })
        let done = try #require(chunks.last)
        #expect(done["object"] == .string("chat.completion.done"))
        #expect(done["choices"]?[0]?["finish_reason"] == .string("stop"))
        #expect(done["usage"]?["cost"]?["request_cost"] == .number("0.005"))
        #expect(done["usage"]?["cost"]?["total_cost"] == .number("0.005023"))
    }

    @Test func chatDefault_firstChunk_isByteExact() throws {
        let first = try #require(sends(chat(scenario: nil, body: Self.chatBody)).first)
        let expected =
            #"data: {"id":"3f0c2b6e-0000-4000-8000-000000000001","model":"sonar","created":1790000000,"#
            + #""usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"search_context_size":"low","#
            + #""cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.0,"total_cost":0.0}},"#
            + #""citations":["https://en.wikipedia.org/wiki/Paris","https://www.britannica.com/place/Paris"],"#
            + #""search_results":[{"title":"Paris - Wikipedia","url":"https://en.wikipedia.org/wiki/Paris","#
            + #""date":"2026-03-01","last_updated":"2026-03-02","snippet":"Paris is the capital and largest city of France.","#
            + #""source":"web"},{"title":"Paris | Britannica","url":"https://www.britannica.com/place/Paris","date":null,"#
            + #""last_updated":null,"snippet":"","source":"web"}],"object":"chat.completion.chunk","#
            + #""choices":[{"index":0,"delta":{"role":"assistant","content":"The capital"}}]}"# + "\n\n"
        #expect(String(decoding: first, as: UTF8.self) == expected)
    }

    @Test func chatLegacy_usesPythonSeparators_cumulativeMessage_andNoDONE() throws {
        let frames = sends(chat(scenario: "legacy", body: Self.chatBody)).map { String(decoding: $0, as: UTF8.self) }
        let last = try #require(frames.last)
        #expect(
            last.hasPrefix(
                #"data: {"id": "3f0c2b6e-0000-4000-8000-000000000001", "model": "sonar", "created": 1790000000, "usage": {"prompt_tokens": 9, "completion_tokens": 14, "total_tokens": 23}, "#
            ))
        #expect(
            last.hasSuffix(
                #""object": "chat.completion", "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "The capital of France is Paris[1]. It lies on the Seine[2]."}, "delta": {"role": "assistant", "content": ""}}]}"#
                    + "\n\n"))
        #expect(frames[1].contains(#""finish_reason": null, "message": {"role": "assistant", "content": "The capital of France"}"#))
        #expect(!frames.contains("data: [DONE]\n\n"))
    }

    @Test func chatReasoning_splitsThinkTagsAcrossDeltas() throws {
        let chunks = try dataPayloads(chat(scenario: "reasoning", body: Self.chatBody)).dropLast().map { try JSONValue.parse($0) }
        let contents = chunks.map { $0["choices"]?[0]?["delta"]?["content"]?.stringValue ?? "" }
        #expect(Array(contents.prefix(4)) == ["<th", "ink>\nLooking up", " sources.\n</th", "ink>\n\n"])
        #expect(contents.joined() == "<think>\nLooking up sources.\n</think>\n\n" + CanonicalAnswer.text)
        #expect(chunks.last?["usage"]?["reasoning_tokens"] == .number("4"))
    }

    @Test func chatRoleFirstOnly_dropsRoleAfterFirstChunk() throws {
        let chunks = try dataPayloads(chat(scenario: "role-first-only", body: Self.chatBody)).dropLast().map { try JSONValue.parse($0) }
        #expect(chunks.first?["choices"]?[0]?["delta"]?["role"] == .string("assistant"))
        #expect(chunks.dropFirst().allSatisfy { $0["choices"]?[0]?["delta"]?["role"] == nil })
    }

    @Test func chatNoFinish_endsWithoutFinishReasonOrDONE() throws {
        let script = chat(scenario: "no-finish", body: Self.chatBody)
        let chunks = try dataPayloads(script).map { try JSONValue.parse($0) }
        #expect(chunks.count == CanonicalAnswer.deltas.count)
        #expect(chunks.allSatisfy { $0["choices"]?[0]?["finish_reason"] == nil })
        #expect(script.steps.last == .end)
    }

    @Test func chatHoldOpenVariants_holdAfterTheirLastEvent() throws {
        let holdOpen = chat(scenario: "hold-open", body: Self.chatBody)
        #expect(holdOpen.steps.last == .holdOpen)
        #expect(try dataPayloads(holdOpen).last != "[DONE]")
        let doneHoldOpen = chat(scenario: "done-hold-open", body: Self.chatBody)
        #expect(doneHoldOpen.steps.suffix(2) == [.send(Array("data: [DONE]\n\n".utf8)), .holdOpen])
    }

    @Test func chatSplit_cutsTheDefaultStreamIntoSmallPausedWrites() {
        let split = MockResponder(options: MockOptions(api: .chat)).script(
            for: request("/chat/completions", scenario: "split", body: Self.chatBody))
        let whole = MockResponder(options: MockOptions(api: .chat)).script(
            for: request("/chat/completions", scenario: nil, body: Self.chatBody))
        let pieces = sends(split)
        #expect(pieces.allSatisfy { (1...7).contains($0.count) })
        #expect(Set(pieces.map(\.count)) == Set(1...7))
        #expect(pieces.flatMap { $0 } == sends(whole).flatMap { $0 })
        let body = split.steps.dropFirst().dropLast()
        #expect(
            zip(body, body.dropFirst()).allSatisfy { pair in
                if case .send = pair.0 { return pair.1 == .pause(milliseconds: 1) }
                return true
            })
    }

    @Test func chatDeliveryScenarios_stallDropAndStaySilent() {
        #expect(chat(scenario: "no-response", body: Self.chatBody).steps == [.holdOpen])
        let stall = chat(scenario: "stall", body: Self.chatBody).steps
        #expect(stall.count == 3 && stall.last == .holdOpen)
        let drop = chat(scenario: "drop", body: Self.chatBody).steps
        #expect(drop.count == 4 && drop.last == .drop)
        let slow = chat(scenario: "slow", body: Self.chatBody).steps
        #expect(slow.contains(.pause(milliseconds: 250)))
    }

    @Test func chatEventDelay_pausesBetweenEventsOnly() {
        let responder = MockResponder(options: MockOptions(api: .chat, eventDelayMs: 40))
        let steps = responder.script(for: request("/chat/completions", scenario: nil, body: Self.chatBody)).steps
        let frames = steps.filter { if case .send = $0 { true } else { false } }.count
        #expect(steps.filter { $0 == .pause(milliseconds: 40) }.count == frames - 1)
        #expect(steps[1] != .pause(milliseconds: 40))
    }

    @Test func chatEcho_answersWithTheExactRawBody() throws {
        let body = #"{"model":"sonar", "stream":true,"messages":[{"role":"user","content":"say \"hi\" <&>"}]}"#
        let chunks = try dataPayloads(chat(scenario: "echo", body: body)).dropLast().map { try JSONValue.parse($0) }
        #expect(chunks.first?["choices"]?[0]?["delta"]?["content"] == .string(body))
    }

    @Test func chatNonStreaming_returnsOneCompletionWithContentLength() throws {
        let script = chat(scenario: nil, body: Self.body(Self.chatBody, stream: false))
        let body = sends(script).flatMap { $0 }
        guard case .head(200, let headers) = script.steps.first else { Issue.record("no 200 head"); return }
        #expect(headers.contains(MockHeader("Content-Length", String(body.count))))
        let completion = try JSONValue.parse(body)
        #expect(completion["object"] == .string("chat.completion"))
        #expect(completion["choices"]?[0]?["message"]?["content"] == .string(CanonicalAnswer.text))
        #expect(completion["citations"] == .array(CanonicalAnswer.citations.map(JSONValue.string)))
    }

    @Test func chatErrors_haveUpstreamShapes() {
        let unauthorized = chat(scenario: "error-401", body: Self.chatBody)
        #expect(contentType(unauthorized) == "text/html")
        #expect(text(unauthorized).contains("<title>401 Authorization Required</title>"))
        #expect(
            text(chat(scenario: "error-400", body: Self.chatBody))
                == #"{"error":{"message":"Invalid model 'sonar'. Permitted models can be found in the documentation at https://docs.perplexity.ai/getting-started/models.","type":"invalid_model","code":400}}"#
        )
        guard case .head(429, let headers) = chat(scenario: "error-429", body: Self.chatBody).steps.first else {
            Issue.record("no 429 head")
            return
        }
        #expect(headers.contains(MockHeader("Retry-After", "7")))
        #expect(
            text(chat(scenario: "retired-403b", body: Self.chatBody))
                == #"{"error":{"message":"Sonar is now the Agent API. Use /v1/responses instead of /chat/completions.","code":"agent_api_migration_required"}}"#
        )
        #expect(text(chat(scenario: "error-422", body: Self.chatBody)).hasPrefix(#"{"detail":[{"loc":["body","#))
    }

    @Test func chatPaths_inAgentMode_answerTheRetirement403() {
        let script = MockResponder(options: MockOptions(api: .agent)).script(
            for: request("/v1/chat/completions", scenario: nil, body: Self.chatBody))
        #expect(status(script) == 403)
        #expect(
            text(script)
                == #"{"error":{"message":"Sonar is now the Agent API. Use /v1/responses instead of /v1/sonar. Migrate here: https://docs.perplexity.ai/docs/agent-api/migrate-from-sonar/overview","type":"chat_completions_not_available","code":403}}"#
        )
    }

    @Test func chatInvalidJSON_getsFastAPI422() {
        let script = chat(scenario: nil, body: "{not json")
        #expect(status(script) == 422)
        #expect(text(script).hasPrefix(#"{"detail":[{"loc":["body",1],"#))
    }

    // MARK: Agent API

    @Test func agentDefault_followsTheLiveEventOrder_withSequenceGaps() throws {
        let script = agent(scenario: nil, body: Self.agentBody)
        let events = try agentEvents(script)
        let deltas = CanonicalAnswer.deltas.count
        #expect(
            events.map(\.name) == [
                "response.created", "response.in_progress", "response.output_item.added", "response.reasoning.search_queries",
                "response.reasoning.search_results", "response.output_item.done", "response.output_item.added",
            ] + Array(repeating: "response.output_text.delta", count: deltas) + [
                "response.output_text.done", "response.output_item.done", "response.completed",
            ])
        #expect(events.map { $0.data["type"]?.stringValue } == events.map(\.name))
        #expect(events.map { $0.data["sequence_number"]?.intValue ?? -1 } == [0, 1] + Array(3...16) + [18, 19, 20])
        #expect(events.compactMap { $0.data["delta"]?.stringValue }.joined() == CanonicalAnswer.text)
        #expect(events[0].data["response"]?["model"] == .string("fast"))
        #expect(events[0].data["response"]?["usage"] == .null)
        #expect(events[2].data["item"]?["type"] == .string("function_call"))
        #expect(events[5].data["item"]?["type"] == .string("search_results"))
        #expect(events[5].data["output_index"] == events[2].data["output_index"])
        #expect(events[6].data["item"]?["content"] == .null)
        let completed = try #require(events.last?.data["response"])
        #expect(completed["model"] == .string("openai/gpt-6-luna"))
        #expect(completed["status"] == .string("completed"))
        #expect(completed["usage"]?["cost"]?["total_cost"] == .number("0.005023"))
        #expect(completed["usage"]?["tool_calls_details"]?["search_web"]?["invocation"] == .number("1"))
        #expect(try dataPayloads(script).allSatisfy { $0 != "[DONE]" })
    }

    @Test func agentDefault_sendsRequestIDAndRateLimitHeaders() {
        guard case .head(200, let headers) = agent(scenario: nil, body: Self.agentBody).steps.first else {
            Issue.record("no 200 head")
            return
        }
        #expect(headers.contains(MockHeader("x-request-id", "7b57af9e-0000-4000-8000-000000000001")))
        #expect(headers.contains(MockHeader("x-ratelimit-remaining", "49")))
    }

    @Test func agentFraming_variants() {
        let dataOnly = text(agent(scenario: "no-event-lines", body: Self.agentBody))
        #expect(!dataOnly.contains("event:") && dataOnly.hasPrefix("data: {"))
        let crlf = text(agent(scenario: "crlf", body: Self.agentBody))
        #expect(crlf.hasPrefix("event: response.created\r\ndata: {") && crlf.hasSuffix("}\r\n\r\n"))
    }

    @Test func agentTerminals_matchTheirScenarios() throws {
        func terminal(_ scenario: String) throws -> (name: String, data: JSONValue) {
            try #require(try agentEvents(agent(scenario: scenario, body: Self.agentBody)).last)
        }
        #expect(try terminal("failed").data["error"]?["message"] != nil)
        #expect(try terminal("failed-nested").data["response"]?["error"]?["code"] == .string("server_error"))
        #expect(try terminal("incomplete").data["response"]?["incomplete_details"]?["reason"] == .string("max_output_tokens"))
        #expect(try terminal("completed-incomplete").data["response"]?["status"] == .string("incomplete"))
        #expect(try terminal("cancelled").name == "response.cancelled")
        let error = try terminal("error-event")
        #expect(
            error.name == "error"
                && error.data
                    == .object([
                        "type": .string("error"), "error": .object(["message": .string("The model failed to generate a response.")]),
                    ])
        )
        #expect(try terminal("no-terminal").name == "response.output_text.delta")
        #expect(agent(scenario: "hold-open", body: Self.agentBody).steps.last == .holdOpen)
    }

    @Test func agentTextScenarios_separateDeltasFromFinalText() throws {
        func texts(_ scenario: String) throws -> (deltas: String, done: String?) {
            let events = try agentEvents(agent(scenario: scenario, body: Self.agentBody))
            return (
                events.compactMap { $0.data["delta"]?.stringValue }.joined(),
                events.first { $0.name == "response.output_text.done" }?.data["text"]?.stringValue
            )
        }
        #expect(try texts("text-only-terminal") == ("", CanonicalAnswer.text))
        #expect(try texts("partial-deltas") == ("The capital of France is Paris[1].", CanonicalAnswer.text))
        let mismatch = try texts("mismatch-text")
        #expect(mismatch.deltas == CanonicalAnswer.text && !(mismatch.done ?? "").hasPrefix(mismatch.deltas))
        let multi = try agentEvents(agent(scenario: "multi-message", body: Self.agentBody))
        #expect(Set(multi.compactMap { $0.data["item_id"]?.stringValue }).count == 2)
        #expect(multi.compactMap { $0.data["delta"]?.stringValue }.joined() == CanonicalAnswer.text)
    }

    @Test func agentSourceScenarios_repeatAndReorderResultIDs() throws {
        func resultIDs(_ scenario: String) throws -> [Int] {
            try agentEvents(agent(scenario: scenario, body: Self.agentBody))
                .filter { $0.name == "response.reasoning.search_results" }
                .flatMap { ($0.data["results"]?.arrayValue ?? []).compactMap { $0["id"]?.intValue } }
        }
        #expect(try resultIDs("multi-search") == [11, 12, 1, 2])
        #expect(try resultIDs("dup-sources") == [1, 2, 3, 4])
        #expect(try resultIDs("no-search") == [])
        let names = try agentEvents(agent(scenario: "dup-sources", body: Self.agentBody)).map(\.name)
        #expect(names.contains("response.reasoning.fetch_url_results"))
    }

    @Test func agentNullFields_includesNullsUnknownEventsCommentsAndStrayDONE() throws {
        let script = agent(scenario: "null-fields", body: Self.agentBody)
        let all = text(script)
        #expect(all.contains("\n: ping\n\n") && all.hasSuffix("data: [DONE]\n\n"))
        let events = try agentEvents(script)
        #expect(events.contains { $0.name == "response.keepalive" })
        #expect(events.contains { $0.data["content_index"] == .null })
        #expect(events.first { $0.name == "response.output_text.done" }?.data["text"] == .null)
    }

    @Test func agentNonStreaming_returnsTheResponseObject() throws {
        for (scenario, status) in [
            ("default", "completed"), ("failed", "failed"), ("incomplete", "incomplete"), ("cancelled", "cancelled"),
        ] {
            let script = agent(scenario: scenario, body: Self.body(Self.agentBody, stream: false))
            #expect(self.status(script) == 200)
            let response = try JSONValue.parse(sends(script).flatMap { $0 })
            #expect(response["status"] == .string(status))
        }
        let echoBody = Self.body(Self.agentBody, stream: false)
        let echo = try JSONValue.parse(sends(agent(scenario: "echo", body: echoBody)).flatMap { $0 })
        #expect(echo["output"]?[1]?["content"]?[0]?["text"] == .string(echoBody))
    }

    @Test func agentEcho_escapesHTMLCharactersLikeGo() {
        let raw = text(agent(scenario: "echo", body: #"{"preset":"fast","stream":true,"input":"a<b & c>d"}"#))
        #expect(raw.contains(#"a\u003cb \u0026 c\u003ed"#))
    }

    @Test func agentValidation_refusesLikeTheRealAPI() {
        let cases: [(body: String, message: String, param: String?)] = [
            (#"{"preset":"fast","input":"q","foo":1,"bar":2}"#, #"invalid request body: json: unknown field \"foo\""#, "foo"),
            (#"{"model":"sonar","input":"q"}"#, "model is not supported", nil),
            (#"{"input":"q"}"#, "validation failed: either model or preset is required", nil),
            (#"{"preset":"fast","input":""}"#, "validation failed: input cannot be empty", nil),
            (#"{"preset":"fast","input":[]}"#, "validation failed: input cannot be empty", nil),
            (
                #"{"preset":"fast","input":"q","stream":"yes"}"#,
                "invalid request body: json: cannot unmarshal string into Go struct field ResponsesRequest.stream of type bool", "stream"
            ),
        ]
        for refusal in cases {
            let param = refusal.param.map { #","param":""# + $0 + #"""# } ?? ""
            let expected = #"{"error":{"message":""# + refusal.message + #"","type":"invalid_request","code":400"# + param + "}}\n"
            let script = agent(scenario: nil, body: refusal.body)
            #expect(status(script) == 400)
            #expect(text(script) == expected)
        }
    }

    @Test func agentValidation_acceptsProviderModelsAndCaseInsensitiveFields() {
        #expect(status(agent(scenario: nil, body: #"{"model":"perplexity/sonar","input":"q"}"#)) == 200)
        #expect(status(agent(scenario: nil, body: #"{"Preset":"fast","Input":"q"}"#)) == 200)
    }

    @Test func agentErrors_useTheIntegerCodeEnvelope() {
        #expect(
            text(agent(scenario: "error-401", body: Self.agentBody))
                == #"{"error":{"message":"Invalid API key provided. Ensure your API key is correct and active.","type":"invalid_api_key","code":401}}"#
                + "\n")
        guard case .head(429, let headers) = agent(scenario: "error-429", body: Self.agentBody).steps.first else {
            Issue.record("no 429 head")
            return
        }
        #expect(headers.contains(MockHeader("Retry-After", "7")) && headers.contains(MockHeader("x-ratelimit-remaining", "0")))
    }

    // MARK: Routing, auth, scenario selection

    @Test func auth_chatGetsHTMLAndAgentGetsJSON() {
        let options = MockOptions(api: .chat, expectedKey: "k1")
        let chatRefused = MockResponder(options: options).script(for: request("/chat/completions", scenario: nil, body: Self.chatBody))
        #expect(status(chatRefused) == 401 && contentType(chatRefused) == "text/html")
        let agentRefused = MockResponder(options: options).script(
            for: request("/v1/agent", scenario: nil, body: Self.agentBody, authorization: "Bearer wrong"))
        #expect(status(agentRefused) == 401 && contentType(agentRefused) == "application/json")
        let accepted = MockResponder(options: options).script(
            for: request("/chat/completions", scenario: nil, body: Self.chatBody, authorization: "Bearer k1"))
        #expect(status(accepted) == 200)
    }

    @Test func scenarioSelection_headerWinsOverBodyToken_bodyTokenOverDefault() {
        let tokenBody = #"{"model":"sonar","stream":true,"messages":[{"role":"user","content":"Capital? mock:legacy"}]}"#
        #expect(chat(scenario: nil, body: tokenBody).scenario == "legacy")
        #expect(chat(scenario: "concise", body: tokenBody).scenario == "concise")
        #expect(chat(scenario: nil, body: #"{"model":"sonar","messages":[],"note":"mock: mock:no-done"}"#).scenario == "no-done")
    }

    @Test func scenarioSelection_unknownName_listsKnownNames() {
        let script = agent(scenario: "nope", body: Self.agentBody)
        #expect(status(script) == 400)
        #expect(text(script).contains(#"unknown mock scenario \"nope\"; known scenarios: default, no-event-lines"#))
    }

    @Test func cancel_acknowledges_andNamesTheResponse() {
        let cancel = MockRequest(method: "POST", path: "/v1/responses/resp_abc/cancel")
        #expect(MockResponder.cancelledID(in: cancel) == "resp_abc")
        #expect(MockResponder.cancelledID(in: MockRequest(method: "POST", path: "/v1/agent/resp_x/cancel")) == "resp_x")
        #expect(MockResponder.cancelledID(in: MockRequest(method: "POST", path: "/v1/agent")) == nil)
        let script = MockResponder(options: MockOptions(api: .agent)).script(for: cancel)
        #expect(text(script) == #"{"response_id":"resp_abc","status":"cancelling"}"# + "\n")
    }

    @Test func modelsAndUnknownPaths() throws {
        let responder = MockResponder(options: MockOptions(api: .agent))
        let models = try JSONValue.parse(sends(responder.script(for: MockRequest(method: "GET", path: "/v1/models"))).flatMap { $0 })
        #expect(models["object"] == .string("list"))
        #expect(models["data"]?.arrayValue?.contains { $0["id"] == .string("perplexity/sonar") } == true)
        #expect(status(responder.script(for: MockRequest(method: "GET", path: "/v1/nothing"))) == 404)
    }

    // MARK: Helpers

    private static func body(_ body: String, stream: Bool) -> String {
        stream ? body : body.replacingOccurrences(of: #""stream":true"#, with: #""stream":false"#)
    }

    private func request(_ path: String, scenario: String?, body: String, authorization: String? = nil) -> MockRequest {
        var headers: [MockHeader] = []
        if let scenario { headers.append(MockHeader("X-Mock-Scenario", scenario)) }
        if let authorization { headers.append(MockHeader("Authorization", authorization)) }
        return MockRequest(method: "POST", path: path, headers: headers, body: Array(body.utf8))
    }

    private func chat(scenario: String?, body: String) -> MockScript {
        MockResponder(options: MockOptions(api: .chat)).script(for: request("/chat/completions", scenario: scenario, body: body))
    }

    private func agent(scenario: String?, body: String) -> MockScript {
        MockResponder(options: MockOptions(api: .agent)).script(for: request("/v1/responses", scenario: scenario, body: body))
    }

    private func sends(_ script: MockScript) -> [[UInt8]] {
        script.steps.compactMap { if case .send(let bytes) = $0 { bytes } else { nil } }
    }

    private func text(_ script: MockScript) -> String {
        String(decoding: sends(script).flatMap { $0 }, as: UTF8.self)
    }

    private func status(_ script: MockScript) -> Int? {
        if case .head(let status, _) = script.steps.first { return status }
        return nil
    }

    private func contentType(_ script: MockScript) -> String? {
        guard case .head(_, let headers) = script.steps.first else { return nil }
        return headers.first { $0.name.lowercased() == "content-type" }?.value
    }

    private func isEventStream(_ script: MockScript) -> Bool {
        contentType(script) == "text/event-stream"
    }

    /// SSE events as (event name, data lines joined), from all sends; comments are skipped, CRLF is accepted.
    private func sseEvents(_ script: MockScript) -> [(name: String?, data: String)] {
        let normalized = text(script).replacingOccurrences(of: "\r\n", with: "\n")
        return normalized.split(separator: "\n\n", omittingEmptySubsequences: true).compactMap { block in
            var name: String?
            var data: [Substring] = []
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(line.dropFirst(6)) }
            }
            return data.isEmpty ? nil : (name, data.joined(separator: "\n"))
        }
    }

    private func dataPayloads(_ script: MockScript) throws -> [String] {
        sseEvents(script).map(\.data)
    }

    private func agentEvents(_ script: MockScript) throws -> [(name: String, data: JSONValue)] {
        try sseEvents(script).filter { $0.data != "[DONE]" }.map { event in
            let data = try JSONValue.parse(event.data)
            return (event.name ?? data["type"]?.stringValue ?? "", data)
        }
    }

    private func expectWellFormed(_ script: MockScript, silent: Bool) throws {
        if silent {
            #expect(script.steps == [.holdOpen])
            return
        }
        guard case .head = script.steps.first else {
            Issue.record("\(script.scenario): first step is not a head")
            return
        }
        #expect(script.steps.dropFirst().allSatisfy { if case .head = $0 { false } else { true } })
        guard isEventStream(script) else { return }
        for payload in try dataPayloads(script) where payload != "[DONE]" {
            #expect(throws: Never.self, "\(script.scenario): \(payload)") { try JSONValue.parse(payload) }
        }
    }
}
