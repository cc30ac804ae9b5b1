/// `POST /v1/responses` and `/v1/agent`: the Agent API passed through with the key swapped, streamed event by
/// event (agent mode only).
struct AgentPassthroughEndpoint {
    let state: ProxyState
    let settings: ProxySettings

    func handle(_ request: HTTPRequest, caller: Caller, response: HTTPResponseWriter) {
        guard settings.config.upstream.api == .agent else {
            state.metrics.recordRequest(route: "agent", status: 404)
            return response.respond(error: ClientErrors.agentEndpointsNeedAgentMode)
        }
        let body: JSONValue
        do {
            body = try JSONValue.parse(request.body)
        } catch {
            state.metrics.recordRequest(route: "agent", status: 400)
            return response.respond(
                error: OpenAIError(
                    status: 400, type: "invalid_request_error", code: "invalid_json", message: "Request body is not valid JSON: \(error)"))
        }
        let model = body["model"]?.stringValue ?? body["preset"]?.stringValue ?? "agent"
        guard caller.allows(model: model) else {
            state.metrics.recordRequest(route: "agent", status: 403)
            return response.respond(error: ClientErrors.modelNotAllowed(model, caller: caller.name))
        }
        let stream = body["stream"]?.boolValue ?? false
        let context = RequestContext(state: state, settings: settings, caller: caller, route: "agent", clientModel: model, stream: stream)
        let upstream = context.upstreamRequest(path: String(request.path), from: request, body: request.body)
        context.startRelay(
            response, upstream: upstream, mode: stream ? .stream : .passthroughBody, translator: PassthroughRelay(wire: .agent),
            upstreamModel: model, cancelsAgentRun: stream)
    }
}
