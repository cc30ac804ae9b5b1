import Testing

@testable import ProxyCore

/// Client function tools going to the Agent API, and function calls coming back in a non-streamed answer.
@Suite struct AgentFunctionToolsTests {
    typealias F = AgentStreamFixtures

    private let sonar = ModelRoute(
        model: "perplexity/sonar", tools: [.object(["type": .string("web_search")])],
        toolChoice: .object(["type": .string("web_search")]))

    private static let weatherTool =
        #"{"type":"function","function":{"name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}"#

    private func translate(_ json: String) -> Result<AgentRequest, OpenAIError> {
        switch ChatCompletionRequest.parse(Array(json.utf8)) {
        case .success(let request): AgentRequestTranslator.translate(request, route: sonar)
        case .failure(let error): .failure(error)
        }
    }

    private func request(tools: String, extra: String = "") -> String {
        #"{"model":"sonar","messages":[{"role":"user","content":"Weather in Paris?"}],"tools":"# + tools + extra + "}"
    }

    private func json(_ text: String) -> JSONValue { (try? JSONValue.parse(text)) ?? .null }

    @Test func functionTools_areSentFlatBesideTheRoutesSearchTool() throws {
        let translated = try translate(request(tools: "[\(Self.weatherTool)]")).get()
        let body = try JSONValue.parse(translated.body)
        #expect(
            body["tools"]
                == json(
                    #"[{"type":"web_search"},{"type":"function","name":"get_weather","description":"Weather now","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}]"#
                ))
        // No choice from the client: the route's stays.
        #expect(body["tool_choice"] == json(#"{"type":"web_search"}"#))
        #expect(translated.functionCalls == FunctionCallPolicy(names: ["get_weather"], parallel: true))
        #expect(!translated.droppedParameters.contains("tools"))
    }

    @Test func functionWithoutDescriptionOrParameters_getsTheRequiredDefaults() throws {
        let body = try JSONValue.parse(try translate(request(tools: #"[{"type":"function","function":{"name":"now"}}]"#)).get().body)
        #expect(
            body["tools"]?[1]
                == json(#"{"type":"function","name":"now","description":"","parameters":{"type":"object","properties":{}}}"#))
    }

    @Test func namedToolChoice_becomesTheAgentAPIsNameForm_andParallelFalseIsKept() throws {
        let translated = try translate(
            request(
                tools: "[\(Self.weatherTool)]",
                extra: #","tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false"#)
        ).get()
        let body = try JSONValue.parse(translated.body)
        #expect(body["tool_choice"] == json(#"{"name":"get_weather"}"#))
        #expect(body["parallel_tool_calls"] == nil)
        #expect(translated.functionCalls.parallel == false)
    }

    @Test func stringToolChoices_passAsTheyAre() throws {
        for choice in ["none", "auto", "required"] {
            let body = try JSONValue.parse(
                try translate(request(tools: "[\(Self.weatherTool)]", extra: #","tool_choice":""# + choice + "\"")).get().body)
            #expect(body["tool_choice"] == .string(choice))
        }
    }

    @Test func toolTypesTheAgentAPILacks_areA400NamingTools() {
        for tool in [#"{"type":"custom","custom":{"name":"x"}}"#, #"{"type":"web_search_preview"}"#, #"{"function":{"name":"x"}}"#] {
            guard case .failure(let error) = translate(request(tools: "[\(tool)]")) else {
                Issue.record("accepted \(tool)")
                continue
            }
            #expect(error.status == 400)
            #expect(error.type == "invalid_request_error")
            #expect(error.param == "tools")
        }
    }

    @Test func reservedNamesAndDuplicates_areRefused() {
        let reserved = translate(request(tools: #"[{"type":"function","function":{"name":"search_web"}}]"#))
        guard case .failure(let error) = reserved else {
            Issue.record("search_web accepted")
            return
        }
        #expect(error.message.contains("reserved"))
        let twice = translate(request(tools: "[\(Self.weatherTool),\(Self.weatherTool)]"))
        guard case .failure(let duplicate) = twice else {
            Issue.record("duplicate accepted")
            return
        }
        #expect(duplicate.message.contains("twice"))
    }

    @Test func toolChoiceNamingAnUndeclaredFunction_isRefused() {
        let result = translate(
            request(tools: "[\(Self.weatherTool)]", extra: #","tool_choice":{"type":"function","function":{"name":"other"}}"#))
        guard case .failure(let error) = result else {
            Issue.record("accepted")
            return
        }
        #expect(error.param == "tool_choice")
    }

    @Test func jsonObjectResponseFormat_isASchemaThatAcceptsAnyObject() throws {
        let body = try JSONValue.parse(
            try translate(#"{"model":"sonar","messages":[{"role":"user","content":"Hi"}],"response_format":{"type":"json_object"}}"#)
                .get().body)
        #expect(
            body["response_format"]
                == json(
                    #"{"type":"json_schema","json_schema":{"name":"json_object","schema":{"type":"object","additionalProperties":true}}}"#))
    }

    // MARK: Non-streamed answers

    private let functionCall =
        #"{"type":"function_call","id":"fc_9","call_id":"call_9","name":"get_weather","arguments":"{\"city\":\"Paris\"}","status":"completed"}"#
    private let searchCall =
        #"{"type":"function_call","id":"fc_1","call_id":"call_1","name":"search_web","arguments":"{}","status":"completed"}"#

    private func answer(_ output: [String], policy: FunctionCallPolicy) throws -> JSONValue {
        let body = F.response(status: "completed", output: output)
        return try JSONValue.parse(
            try AgentResponseTranslator.translate(Array(body.utf8), clientModel: "sonar", functionCalls: policy).get())
    }

    @Test func answerWithAClientFunctionCall_hasToolCallsAndNullContent() throws {
        let completion = try answer(
            [F.searchResultsItem, searchCall, functionCall], policy: FunctionCallPolicy(names: ["get_weather"], parallel: true))
        let choice = completion["choices"]?[0]
        #expect(choice?["finish_reason"] == .string("tool_calls"))
        #expect(choice?["message"]?["content"] == .null)
        #expect(
            choice?["message"]?["tool_calls"]
                == json(#"[{"id":"call_9","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]"#))
    }

    @Test func answerWithTextAndNoDeclaredFunctions_keepsItsTextAndStop() throws {
        let completion = try answer(
            [F.searchResultsItem, searchCall, F.messageItem(F.fullText)], policy: FunctionCallPolicy(names: [], parallel: true))
        #expect(completion["choices"]?[0]?["finish_reason"] == .string("stop"))
        #expect(completion["choices"]?[0]?["message"]?["tool_calls"] == nil)
        #expect(completion["choices"]?[0]?["message"]?["content"] == .string(F.fullText))
    }
}
