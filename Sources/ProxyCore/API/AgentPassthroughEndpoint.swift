/// `POST /v1/responses` and `/v1/agent`: the Agent API passed through with the key swapped, streamed event by
/// event (agent mode only).
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
        guard Self.memberMayRun(body, caller: caller, config: settings.config) else {
            return reject(ClientErrors.modelNotAllowed(model, caller: caller.name), response, caller: caller, model: model)
        }
        let stream = body["stream"]?.boolValue ?? false
        let context = RequestContext(state: state, settings: settings, caller: caller, route: "agent", clientModel: model, stream: stream)
        let upstream = context.upstreamRequest(path: String(request.path), from: request, body: request.body)
        context.startRelay(
            response, upstream: upstream, mode: stream ? .stream : .passthroughBody(.agentResponse),
            translator: PassthroughRelay(wire: .agent),
            upstreamModel: model, outputTokenLimit: body["max_output_tokens"]?.intValue.flatMap { $0 >= 1 ? $0 : nil },
            cancelsAgentRun: stream)
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
