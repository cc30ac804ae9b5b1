/// `POST /v1/responses`, `/responses` and `/v1/agent`: the Agent API passed through with the key swapped,
/// streamed event by event (agent mode only).
///
/// A `model` that is one of the proxy's client-facing ids (`sonar`, as `GET /v1/models` lists them) is routed as
/// chat completions route it: the id is replaced by the route's `model` and `preset`, and the route's tools,
/// `tool_choice`, `instructions` and `max_steps` are added where the client set none, so a Responses client sees
/// the same vocabulary as a chat client. Any other body goes upstream unchanged.
struct AgentPassthroughEndpoint {
    let state: ProxyState
    let settings: ProxySettings

    func handle(_ request: HTTPRequest, caller: Caller, response: HTTPResponseWriter) {
        guard settings.config.upstream.api == .agent else {
            return reject(ClientErrors.agentEndpointsNeedAgentMode, response, caller: caller, model: nil)
        }
        let body: JSONValue
        do {
            body = try JSONValue.parse(request.body)
        } catch {
            let invalid = OpenAIError(
                status: 400, type: "invalid_request_error", code: "invalid_json", message: "Request body is not valid JSON: \(error)")
            return reject(invalid, response, caller: caller, model: nil)
        }
        let model = body["model"]?.stringValue ?? body["preset"]?.stringValue ?? "agent"
        let route = body["model"]?.stringValue.flatMap { settings.config.models[$0] }
        let allowed = route != nil ? caller.allows(model: model) : Self.memberMayRun(body, caller: caller, config: settings.config)
        guard allowed else {
            return reject(ClientErrors.modelNotAllowed(model, caller: caller.name), response, caller: caller, model: model)
        }
        let stream = body["stream"]?.boolValue ?? false
        let context = RequestContext(state: state, settings: settings, caller: caller, route: "agent", clientModel: model, stream: stream)
        let routed = route.map { Self.applying($0, to: body) }
        // `/responses` is the same endpoint without the version prefix; upstream it is always `/v1/responses`.
        let path = request.path == "/responses" ? "/v1/responses" : String(request.path)
        let upstream = context.upstreamRequest(path: path, from: request, body: routed?.serialized ?? request.body)
        var outputLimit = (routed ?? body)["max_output_tokens"]?.intValue.flatMap { $0 >= 1 ? $0 : nil }
        if outputLimit == nil { outputLimit = route?.maxOutputTokens }
        let upstreamModel = route.flatMap { $0.model ?? $0.preset } ?? model
        let mode: ResponseBodyMode = stream ? .stream : .passthroughBody(.agentResponse)
        switch settings.config.stream.responsesEvents {
        case .openai where stream:
            context.startRelay(
                response, upstream: upstream, mode: mode, translator: ResponsesEventNormalizer(), upstreamModel: upstreamModel,
                outputTokenLimit: outputLimit, cancelsAgentRun: true)
        case .raw, .openai:
            context.startRelay(
                response, upstream: upstream, mode: mode, translator: PassthroughRelay(wire: .agent), upstreamModel: upstreamModel,
                outputTokenLimit: outputLimit, cancelsAgentRun: stream)
        }
    }

    /// `body` with the client-facing model id replaced by what `route` sends upstream.
    static func applying(_ route: ModelRoute, to body: JSONValue) -> JSONValue {
        guard case .object(var members) = body else { return body }
        members["model"] = route.model.map(JSONValue.string)
        if members["preset"] == nil, members["effort"] == nil, let preset = route.preset { members["preset"] = .string(preset) }
        if let routeTools = route.tools, !routeTools.isEmpty {
            var tools = members["tools"]?.arrayValue ?? []
            let declared = Set(tools.compactMap { $0["type"]?.stringValue })
            tools += routeTools.filter { !declared.contains($0["type"]?.stringValue ?? "") }
            members["tools"] = .array(tools)
        }
        if members["tool_choice"] == nil, let toolChoice = route.toolChoice { members["tool_choice"] = toolChoice }
        if members["instructions"] == nil, let instructions = route.instructions { members["instructions"] = .string(instructions) }
        if members["max_steps"] == nil, let maxSteps = route.maxSteps { members["max_steps"] = .number(String(maxSteps)) }
        if let cap = route.maxOutputTokens {
            let asked = members["max_output_tokens"]?.intValue
            members["max_output_tokens"] = .number(String(min(asked ?? cap, cap)))
        }
        return .object(members)
    }

    /// A member restricted to some model ids may run the Agent API only with the models and presets those ids
    /// route to: every `model`, `preset` and `models` entry in the body must be one of them.
    static func memberMayRun(_ body: JSONValue, caller: Caller, config: ProxyConfig) -> Bool {
        guard let allowedIDs = caller.member?.models else { return true }
        let routes = allowedIDs.compactMap { config.models[$0] }
        let models = Set(routes.compactMap(\.model))
        let presets = Set(routes.compactMap(\.preset))
        let requestedModels = [body["model"]?.stringValue].compactMap { $0 } + (body["models"]?.arrayValue ?? []).compactMap(\.stringValue)
        let requestedPreset = body["preset"]?.stringValue
        guard !requestedModels.isEmpty || requestedPreset != nil else { return false }
        return requestedModels.allSatisfy(models.contains) && (requestedPreset.map(presets.contains) ?? true)
    }

    private func reject(_ error: OpenAIError, _ response: HTTPResponseWriter, caller: Caller, model: String?) {
        RequestRejection.reject(error, response: response, state: state, caller: caller, route: "agent", model: model, stream: false)
    }
}
