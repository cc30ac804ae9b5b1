import Logging

/// `POST /chat/completions`: validates the request, picks the upstream form (Agent API translation or chat
/// relay) and starts a `StreamRelay`.
struct ChatCompletionsEndpoint {
    let state: ProxyState
    let settings: ProxySettings

    func handle(_ request: HTTPRequest, caller: Caller, response: HTTPResponseWriter) {
        let config = settings.config
        let chat: ChatCompletionRequest
        switch ChatCompletionRequest.parse(request.body) {
        case .failure(let error): return reject(error, response, caller: caller, model: nil, stream: false)
        case .success(let parsed): chat = parsed
        }
        guard caller.allows(model: chat.model) else {
            return reject(
                ClientErrors.modelNotAllowed(chat.model, caller: caller.name), response, caller: caller, model: chat.model,
                stream: chat.stream)
        }
        let context = RequestContext(
            state: state, settings: settings, caller: caller, route: "chat_completions", clientModel: chat.model, stream: chat.stream)
        switch config.upstream.api {
        case .agent:
            guard let route = config.models[chat.model] else {
                return reject(
                    ClientErrors.unknownModel(chat.model, known: Array(config.models.keys)), response, caller: caller, model: chat.model,
                    stream: chat.stream)
            }
            let agentRequest: AgentRequest
            switch AgentRequestTranslator.translate(chat, route: route) {
            case .failure(let error): return reject(error, response, caller: caller, model: chat.model, stream: chat.stream)
            case .success(let translated): agentRequest = translated
            }
            if !agentRequest.droppedParameters.isEmpty {
                state.logger.debug(
                    "parameters with no Agent API equivalent dropped: \(agentRequest.droppedParameters.joined(separator: ", "))")
            }
            let upstream = context.upstreamRequest(path: "/v1/agent", from: request, body: agentRequest.body)
            let upstreamModel = route.model ?? route.preset ?? chat.model
            if chat.stream {
                let translator = AgentStreamTranslator(
                    clientModel: chat.model, includeUsage: chat.includeUsage, fallbackID: RequestContext.makeChatID(),
                    created: UnixTime.now())
                context.startRelay(
                    response, upstream: upstream, mode: .stream, translator: translator, upstreamModel: upstreamModel, cancelsAgentRun: true
                )
            } else {
                context.startRelay(
                    response, upstream: upstream, mode: .agentBody(clientModel: chat.model), translator: PassthroughRelay(),
                    upstreamModel: upstreamModel, cancelsAgentRun: false)
            }
        case .chat:
            let upstreamModel = config.models[chat.model]?.model ?? chat.model
            let upstream = context.upstreamRequest(
                path: "/chat/completions", from: request, body: chat.chatUpstreamBody(model: upstreamModel))
            switch (chat.stream, config.stream.metadata) {
            case (true, .final):
                let translator = ChatStreamNormalizer(clientModel: chat.model, includeUsage: chat.includeUsage)
                context.startRelay(
                    response, upstream: upstream, mode: .stream, translator: translator, upstreamModel: upstreamModel,
                    cancelsAgentRun: false)
            case (true, .passthrough):
                context.startRelay(
                    response, upstream: upstream, mode: .stream, translator: PassthroughRelay(), upstreamModel: upstreamModel,
                    cancelsAgentRun: false)
            case (false, _):
                context.startRelay(
                    response, upstream: upstream, mode: .passthroughBody(.chatCompletion), translator: PassthroughRelay(),
                    upstreamModel: upstreamModel,
                    cancelsAgentRun: false)
            }
        }
    }

    private func reject(_ error: OpenAIError, _ response: HTTPResponseWriter, caller: Caller, model: String?, stream: Bool) {
        RequestRejection.reject(
            error, response: response, state: state, caller: caller, route: "chat_completions", model: model, stream: stream)
    }
}
