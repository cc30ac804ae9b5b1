import Testing

@testable import ProxyCore

@Suite struct AgentRequestTranslatorTests {
    /// The default `sonar` route: Perplexity's model with web search offered and forced.
    private let sonar = ModelRoute(
        model: "perplexity/sonar", tools: [.object(["type": .string("web_search")])],
        toolChoice: .object(["type": .string("web_search")]))
    private let presetRoute = ModelRoute(preset: "medium")

    /// Translates a chat-completions body (JSON text) for `route`.
    private func translate(_ json: String, route: ModelRoute) -> Result<AgentRequest, OpenAIError> {
        switch ChatCompletionRequest.parse(Array(json.utf8)) {
        case .success(let request): AgentRequestTranslator.translate(request, route: route)
        case .failure(let error): .failure(error)
        }
    }

    /// The translated body as a JSON value, and the dropped parameters.
    private func body(
        _ json: String, route: ModelRoute, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (body: JSONValue, dropped: [String]) {
        switch translate(json, route: route) {
        case .success(let request):
            return ((try? JSONValue.parse(request.body)) ?? .null, request.droppedParameters)
        case .failure(let error):
            Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
            return (.null, [])
        }
    }

    private func json(_ text: String) -> JSONValue {
        (try? JSONValue.parse(text)) ?? .null
    }

    private func error(_ json: String, route: ModelRoute) -> OpenAIError? {
        if case .failure(let error) = translate(json, route: route) { return error }
        return nil
    }

    @Test func minimalRequest_mapsMessagesRouteAndStream() {
        let result = body(#"{"model":"sonar","stream":true,"messages":[{"role":"user","content":"Hi"}]}"#, route: sonar)
        #expect(
            result.body
                == json(
                    #"{"input":[{"type":"message","role":"user","content":"Hi"}],"model":"perplexity/sonar","stream":true,"tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"}}"#
                ))
        #expect(result.dropped == [])
    }

    @Test func routeFields_allBecomeAgentFields() {
        let route = ModelRoute(
            model: "perplexity/sonar", preset: "low", tools: [json(#"{"type":"fetch_url","max_urls":3}"#)],
            toolChoice: .string("auto"), instructions: "Be brief.", maxSteps: 4)
        let result = body(#"{"model":"sonar-pro","messages":[{"role":"user","content":"Hi"}]}"#, route: route)
        #expect(
            result.body
                == json(
                    #"{"input":[{"type":"message","role":"user","content":"Hi"}],"model":"perplexity/sonar","preset":"low","stream":false,"tools":[{"type":"fetch_url","max_urls":3}],"tool_choice":"auto","instructions":"Be brief.","max_steps":4}"#
                ))
    }

    @Test func systemDeveloperAndMultiTurnMessages_areKeptAsItemsInOrder() {
        let request =
            #"{"model":"m","messages":[{"role":"system","content":"Answer in French."},{"role":"developer","content":"Cite sources."},{"role":"user","content":"Capital?"},{"role":"assistant","content":"Paris."},{"role":"user","content":"River?"}]}"#
        let result = body(request, route: presetRoute)
        #expect(
            result.body["input"]
                == json(
                    #"[{"type":"message","role":"system","content":"Answer in French."},{"type":"message","role":"system","content":"Cite sources."},{"type":"message","role":"user","content":"Capital?"},{"type":"message","role":"assistant","content":"Paris."},{"type":"message","role":"user","content":"River?"}]"#
                ))
        #expect(result.body["instructions"] == nil)
    }

    @Test func contentParts_becomeInputTextAndInputImage_othersAreDroppedAndListed() {
        let request =
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"https://x.example/a.png","detail":"high"}},{"type":"image_url","image_url":"data:image/png;base64,AAAA"},{"type":"file_url","file_url":{"url":"https://x.example/a.pdf"}}]},{"role":"assistant","content":[{"type":"text","text":"A "},{"type":"text","text":"cat."}]}]}"#
        let result = body(request, route: presetRoute)
        #expect(
            result.body["input"]
                == json(
                    #"[{"type":"message","role":"user","content":[{"type":"input_text","text":"What is this?"},{"type":"input_image","image_url":"https://x.example/a.png"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]},{"type":"message","role":"assistant","content":"A cat."}]"#
                ))
        #expect(result.dropped == ["messages[0].content[3].file_url"])
    }

    @Test func toolCallsAndResults_becomeFunctionCallItemsAndOutputs() {
        let request =
            #"{"model":"m","messages":[{"role":"user","content":"Weather?"},{"role":"assistant","content":"Let me check.","tool_calls":[{"id":"c1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"c2","type":"function","function":{"name":"time","arguments":""}}]},{"role":"tool","tool_call_id":"c1","content":"Sunny, 21 C"},{"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"noon"}]},{"role":"user","content":"So?"}]}"#
        let result = body(request, route: presetRoute)
        #expect(
            result.body["input"]
                == json(
                    #"[{"type":"message","role":"user","content":"Weather?"},{"type":"message","role":"assistant","content":"Let me check."},{"type":"function_call","call_id":"c1","name":"weather","arguments":"{\"city\":\"Paris\"}"},{"type":"function_call","call_id":"c2","name":"time","arguments":""},{"type":"function_call_output","call_id":"c1","output":"Sunny, 21 C"},{"type":"function_call_output","call_id":"c2","output":"noon"},{"type":"message","role":"user","content":"So?"}]"#
                ))
        #expect(result.dropped.isEmpty)
    }

    @Test func legacyFunctionResults_areFoldedIntoUserText() {
        let request =
            #"{"model":"m","messages":[{"role":"user","content":"Weather?"},{"role":"function","name":"weather","content":"Sunny"}]}"#
        #expect(
            body(request, route: presetRoute).body["input"]
                == json(
                    #"[{"type":"message","role":"user","content":"Weather?"},{"type":"message","role":"user","content":"Tool result: Sunny"}]"#
                ))
    }

    @Test func toolMessageWithoutCallID_isRefused() {
        let refused = error(
            #"{"model":"m","messages":[{"role":"user","content":"Hi"},{"role":"tool","content":"x"}]}"#, route: presetRoute)
        #expect(refused?.status == 400)
        #expect(refused?.message.contains("tool_call_id") == true)
    }

    @Test func maxTokens_becomesMaxOutputTokens_flooredAt16() {
        let messages = #""messages":[{"role":"user","content":"Hi"}]"#
        #expect(
            body(#"{"model":"m","max_tokens":500,"# + messages + "}", route: presetRoute).body["max_output_tokens"]
                == .number(500))
        #expect(
            body(#"{"model":"m","max_tokens":5,"# + messages + "}", route: presetRoute).body["max_output_tokens"]
                == .number(16))
        #expect(
            body(#"{"model":"m","max_tokens":50,"max_completion_tokens":70,"# + messages + "}", route: presetRoute)
                .body["max_output_tokens"] == .number(70))
        #expect(error(#"{"model":"m","max_tokens":0,"# + messages + "}", route: presetRoute)?.param == "max_tokens")
    }

    @Test func samplingNumbers_passVerbatim_andReasoningEffortNests() {
        let result = body(
            #"{"model":"m","temperature":0.20,"top_p":1e-1,"reasoning_effort":"low","language_preference":"fr","messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(result.body["temperature"] == .number("0.20"))
        #expect(result.body["top_p"] == .number("1e-1"))
        #expect(result.body["reasoning"] == json(#"{"effort":"low"}"#))
        #expect(result.body["language_preference"] == .string("fr"))
        #expect(
            error(#"{"model":"m","temperature":"hot","messages":[{"role":"user","content":"Hi"}]}"#, route: presetRoute)
                == OpenAIError(
                    status: 400, type: "invalid_request_error", code: "invalid_type",
                    message: "'temperature' must be a number.", param: "temperature"))
    }

    @Test func jsonSchemaResponseFormat_isSentTopLevelWithKnownFieldsOnly() {
        let result = body(
            #"{"model":"m","response_format":{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}},"strict":true,"x-extra":1}},"messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(
            result.body["response_format"]
                == json(
                    #"{"type":"json_schema","json_schema":{"name":"city","schema":{"type":"object","properties":{"name":{"type":"string"}}},"strict":true}}"#
                ))
        #expect(result.dropped == ["response_format.json_schema.x-extra"])
    }

    @Test func textResponseFormat_isDropped_andRegexIsRefused() {
        let text = body(
            #"{"model":"m","response_format":{"type":"text"},"messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(text.body["response_format"] == nil)
        let refused = error(
            #"{"model":"m","response_format":{"type":"regex","regex":{"regex":"\\d+"}},"messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(refused?.status == 400)
        #expect(refused?.type == "invalid_request_error")
        #expect(refused?.param == "response_format")
        #expect(refused?.message.contains("not supported by the Perplexity Agent API") == true)
    }

    @Test func searchFilters_goIntoTheRoutesWebSearchTool_schemesStripped() {
        let request =
            #"{"model":"sonar","search_domain_filter":["https://Example.com/","-http://spam.example","wikipedia.org"],"search_recency_filter":"week","search_after_date_filter":"01/01/2026","last_updated_before_filter":"06/01/2026","web_search_options":{"search_context_size":"high","user_location":{"country":"FR","city":"Paris","extra":1},"search_type":"pro"},"messages":[{"role":"user","content":"Hi"}]}"#
        let result = body(request, route: sonar)
        #expect(
            result.body["tools"]
                == json(
                    #"[{"type":"web_search","filters":{"search_domain_filter":["Example.com","-spam.example","wikipedia.org"],"search_recency_filter":"week","search_after_date_filter":"01/01/2026","last_updated_before_filter":"06/01/2026"},"search_context_size":"high","user_location":{"country":"FR","city":"Paris"}}]"#
                ))
        #expect(result.body["tool_choice"] == json(#"{"type":"web_search"}"#))
        #expect(result.dropped == ["web_search_options.search_type", "web_search_options.user_location.extra"])
    }

    @Test func searchFilters_addAWebSearchTool_whenTheRouteHasNone() {
        let result = body(
            #"{"model":"m","search_recency_filter":"day","messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(result.body["tools"] == json(#"[{"type":"web_search","filters":{"search_recency_filter":"day"}}]"#))
    }

    @Test func domainFilter_withMoreThan20Entries_isRefused() {
        let domains = (1...21).map { "\"d\($0).example\"" }.joined(separator: ",")
        let refused = error(
            #"{"model":"m","search_domain_filter":["# + domains + #"],"messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(refused?.param == "search_domain_filter")
        #expect(refused?.status == 400)
    }

    @Test func domainEntries_loseSchemeAndTrailingSlash_keepDenyPrefix() {
        #expect(AgentWebSearchTool.domain("HTTPS://a.example/") == "a.example")
        #expect(AgentWebSearchTool.domain("-https://b.example") == "-b.example")
        #expect(AgentWebSearchTool.domain("c.example/path") == "c.example/path")
    }

    @Test func parametersWithoutAgentEquivalent_areDroppedAndListed() {
        let request =
            #"{"model":"sonar","stream":true,"stream_options":{"include_usage":true},"n":1,"stop":["\n"],"top_k":5,"presence_penalty":0.1,"frequency_penalty":0.1,"logprobs":false,"seed":7,"user":"u1","return_images":true,"return_related_questions":true,"search_mode":"academic","disable_search":true,"search_language_filter":["en"],"functions":[],"enable_search_classifier":true,"messages":[{"role":"user","content":"Hi"}]}"#
        let result = body(request, route: sonar)
        #expect(
            result.dropped
                == [
                    "disable_search", "enable_search_classifier", "frequency_penalty", "functions", "logprobs", "n",
                    "presence_penalty", "return_images", "return_related_questions",
                    "search_language_filter",
                    "search_mode", "seed", "stop", "stream_options", "top_k", "user",
                ])
        #expect(
            result.body
                == json(
                    #"{"input":[{"type":"message","role":"user","content":"Hi"}],"model":"perplexity/sonar","stream":true,"tools":[{"type":"web_search"}],"tool_choice":{"type":"web_search"}}"#
                ))
    }

    @Test func numSearchResults_becomesTheSearchToolsMaxResults() {
        let result = body(#"{"model":"sonar","num_search_results":7,"messages":[{"role":"user","content":"Hi"}]}"#, route: sonar)
        #expect(result.body["tools"] == json(#"[{"type":"web_search","max_results":7}]"#))
        #expect(
            error(#"{"model":"sonar","num_search_results":51,"messages":[{"role":"user","content":"Hi"}]}"#, route: sonar)?.status == 400)
    }

    @Test func nullParameters_areIgnoredSilently() {
        let result = body(
            #"{"model":"m","temperature":null,"max_tokens":null,"stop":null,"response_format":null,"web_search_options":null,"messages":[{"role":"user","content":"Hi"}]}"#,
            route: presetRoute)
        #expect(
            result.body
                == json(
                    #"{"input":[{"type":"message","role":"user","content":"Hi"}],"preset":"medium","stream":false}"#))
        #expect(result.dropped == [])
    }

    @Test func messagesWithNothingUsable_areRefused() {
        let refused = error(
            #"{"model":"m","messages":[{"role":"user","content":[{"type":"video_url","video_url":{"url":"v"}}]}]}"#,
            route: presetRoute)
        #expect(refused?.param == "messages")
        #expect(
            error(#"{"model":"m","messages":[{"role":"wizard","content":"Hi"}]}"#, route: presetRoute)?.param
                == "messages")
    }
}
