import ProxyCore

/// What the mock does for one request: the steps for the engine, and labels for its bookkeeping.
public struct MockScript: Sendable, Equatable {
    /// The scenario acted out, or what kind of answer this is (`unauthorized`, `not-found`, `cancel`, …).
    public var scenario: String
    /// What the engine does, in order.
    public var steps: [MockStep]
    /// The id of the completion or response the script reports, if it reports one.
    public var responseID: String?

    /// A script.
    public init(scenario: String, steps: [MockStep], responseID: String? = nil) {
        self.scenario = scenario
        self.steps = steps
        self.responseID = responseID
    }
}

/// The pure part of the Perplexity emulator: turns a parsed request into a script of steps, speaking Sonar
/// chat completions or the Agent API wire format with their quirks (perplexity-wire.md,
/// perplexity-agent-api.md). The network engine executes the script.
public struct MockResponder: Sendable {
    /// How the emulator behaves.
    public let options: MockOptions
    private let counter = RequestCounter()

    /// A responder whose response ids count from 1.
    public init(options: MockOptions) {
        self.options = options
    }

    /// The script answering `request`.
    public func script(for request: MockRequest) -> MockScript {
        let route = MockRoute(request)
        switch route {
        case .chatCompletions:
            if let refusal = refuseUnauthorized(request, with: UpstreamErrors.sonarUnauthorized) { return refusal }
            switch options.api {
            case .chat: return chatScript(for: request)
            case .agent:
                return MockScript(
                    scenario: ChatScenario.retired403.rawValue, steps: UpstreamErrors.retiredChatCompletions.immediateSteps
                )
            }
        case .agentResponses:
            if let refusal = refuseUnauthorized(request, with: UpstreamErrors.agentUnauthorized) { return refusal }
            return agentScript(for: request)
        case .cancel(let id):
            if let refusal = refuseUnauthorized(request, with: UpstreamErrors.agentUnauthorized) { return refusal }
            let body: WireJSON = ["response_id": .string(id), "status": "cancelling"]
            let response = MockHTTP.json(status: 200, body.encoded(.goMap) + [UInt8(ascii: "\n")])
            return MockScript(scenario: "cancel", steps: response.immediateSteps, responseID: id)
        case .models:
            if let refusal = refuseUnauthorized(request, with: UpstreamErrors.agentUnauthorized) { return refusal }
            return MockScript(scenario: "models", steps: MockModels.response.immediateSteps)
        case .unknown:
            let response: ScriptedStream
            switch options.api {
            case .chat: response = UpstreamErrors.sonarNotFound
            case .agent: response = UpstreamErrors.agentNotFound
            }
            return MockScript(scenario: "not-found", steps: response.immediateSteps)
        }
    }

    /// The response id a cancel request (`POST /v1/agent/{id}/cancel` or `/v1/responses/{id}/cancel`) names.
    public static func cancelledID(in request: MockRequest) -> String? {
        guard case .cancel(let id) = MockRoute(request) else { return nil }
        return id
    }

    private func refuseUnauthorized(_ request: MockRequest, with refusal: ScriptedStream) -> MockScript? {
        guard let key = options.expectedKey, request.header("Authorization") != "Bearer " + key else { return nil }
        return MockScript(scenario: "unauthorized", steps: refusal.immediateSteps)
    }

    private func chatScript(for request: MockRequest) -> MockScript {
        let name = ScenarioSelection.requestedName(in: request)
        if let fault = FaultScenario(rawValue: name) { return faultScript(fault, for: request, agent: false) }
        guard let scenario = ChatScenario(rawValue: name) else {
            return unknownScenario(name, known: ChatScenario.allCases.map(\.rawValue) + FaultScenario.allCases.map(\.rawValue), api: .chat)
        }
        switch SonarRequest.parse(request.body) {
        case .failure(let refusal):
            return MockScript(scenario: "invalid-request", steps: refusal.response.immediateSteps)
        case .success(let parsed):
            let ids = MockIdentifiers(number: counter.next())
            let steps = scenario.response(to: parsed, ids: ids, eventDelayMs: options.eventDelayMs)
            return MockScript(scenario: name, steps: steps, responseID: reportsResponse(steps) ? ids.completionID : nil)
        }
    }

    private func agentScript(for request: MockRequest) -> MockScript {
        let name = ScenarioSelection.requestedName(in: request)
        if let fault = FaultScenario(rawValue: name) { return faultScript(fault, for: request, agent: true) }
        guard let scenario = AgentScenario(rawValue: name) else {
            return unknownScenario(
                name, known: AgentScenario.allCases.map(\.rawValue) + FaultScenario.allCases.map(\.rawValue), api: .agent)
        }
        switch AgentRequestValidation.validate(request.body) {
        case .failure(let refusal):
            let response = UpstreamErrors.agent(status: 400, type: "invalid_request", message: refusal.message, param: refusal.param)
            return MockScript(scenario: "invalid-request", steps: response.immediateSteps)
        case .success(let parsed):
            let ids = MockIdentifiers(number: counter.next())
            let steps = scenario.response(to: parsed, ids: ids, eventDelayMs: options.eventDelayMs)
            return MockScript(scenario: name, steps: steps, responseID: reportsResponse(steps) ? ids.responseID : nil)
        }
    }

    /// A hostile or broken answer, in the request's wire format.
    private func faultScript(_ fault: FaultScenario, for request: MockRequest, agent: Bool) -> MockScript {
        let stream = (try? JSONValue.parse(request.body))?["stream"]?.boolValue ?? false
        let steps = fault.steps(agent: agent, stream: stream, authorization: request.header("Authorization") ?? "")
        return MockScript(scenario: fault.rawValue, steps: steps)
    }

    /// Whether the steps answer with a response that has an id: a 200, or none at all yet (`no-response`);
    /// error scenarios report none.
    private func reportsResponse(_ steps: [MockStep]) -> Bool {
        for case .head(let status, _) in steps { return status == 200 }
        return true
    }

    private func unknownScenario(_ name: String, known: [String], api: MockAPI) -> MockScript {
        let message = "unknown mock scenario \"\(name)\"; known scenarios: " + known.joined(separator: ", ")
        let response: ScriptedStream
        switch api {
        case .chat: response = UpstreamErrors.sonarEnvelope(status: 400, type: "mock_unknown_scenario", message: message)
        case .agent: response = UpstreamErrors.agent(status: 400, type: "mock_unknown_scenario", message: message)
        }
        return MockScript(scenario: "unknown-scenario", steps: response.immediateSteps)
    }
}
