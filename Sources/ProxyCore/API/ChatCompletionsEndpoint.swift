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
        let route = config.models[chat.model]
        var outputLimit = chat.outputTokenLimit(cap: route?.maxOutputTokens)
        let upstream: UpstreamRequest
        let upstreamModel: String
        switch config.upstream.api {
        case .agent:
            guard let route else {
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
            upstream = context.upstreamRequest(path: "/v1/agent", from: request, body: agentRequest.body)
            upstreamModel = route.model ?? route.preset ?? chat.model
            // What is reserved is what is sent: the Agent API gets at least its minimum.
            outputLimit = outputLimit.map { max($0, AgentRequestTranslator.minimumOutputTokens) }
        case .chat:
            upstreamModel = route?.model ?? chat.model
            upstream = context.upstreamRequest(
                path: "/chat/completions", from: request,
                body: chat.chatUpstreamBody(model: upstreamModel, outputCap: route?.maxOutputTokens))
        }
        func relay<T: StreamTranslator>(_ mode: ResponseBodyMode, _ translator: T, cancelsAgentRun: Bool = false) {
            context.startRelay(
                response, upstream: upstream, mode: mode, translator: translator, upstreamModel: upstreamModel,
                outputTokenLimit: outputLimit, cancelsAgentRun: cancelsAgentRun)
        }
        switch (config.upstream.api, chat.stream, config.stream.metadata) {
        case (.agent, true, _):
            relay(
                .stream,
                AgentStreamTranslator(
                    clientModel: chat.model, includeUsage: chat.includeUsage, fallbackID: RequestContext.makeChatID(),
                    created: UnixTime.now()),
                cancelsAgentRun: true)
        case (.agent, false, _):
            relay(.agentBody(clientModel: chat.model), PassthroughRelay())
        case (.chat, true, .final):
            relay(.stream, ChatStreamNormalizer(clientModel: chat.model, includeUsage: chat.includeUsage))
        case (.chat, true, .passthrough):
            relay(.stream, PassthroughRelay())
        case (.chat, false, _):
            relay(.passthroughBody(.chatCompletion), PassthroughRelay())
        }
    }

    private func reject(_ error: OpenAIError, _ response: HTTPResponseWriter, caller: Caller, model: String?, stream: Bool) {
        RequestRejection.reject(
            error, response: response, state: state, caller: caller, route: "chat_completions", model: model, stream: stream)
    }
}
