import Dispatch
import Logging

/// `POST /chat/completions`: validates the request, picks the upstream form (Agent API translation or chat
/// relay) and starts a `StreamRelay`.
///
/// Two phases: `prepare` is pure (parse, validate, translate; no loop state) and `start` runs on the connection's
/// loop. A large body is prepared on a worker queue, so translating 30 MB never stalls the streams that share the
/// loop; memory is given back afterwards (`MemoryTrim`).
struct ChatCompletionsEndpoint: Sendable {
    let state: ProxyState
    let settings: ProxySettings

    /// Bodies at least this large are prepared off the loop.
    static let offLoopBodyBytes = 256 * 1024

    func handle(_ request: HTTPRequest, caller: Caller, response: HTTPResponseWriter) {
        guard request.body.count >= Self.offLoopBodyBytes else {
            return start(prepare(request, caller: caller), caller: caller, response: response)
        }
        let bound = LoopBound(response, loop: response.loop)
        let large = request.body.count >= MemoryTrim.threshold
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            let plan = prepare(request, caller: caller)
            bound.loop.execute {
                let response = bound.value
                // The client may have gone while the body was being translated: nothing to start then.
                if response.isOpen { start(plan, caller: caller, response: response) }
                if large { MemoryTrim.afterLargeRequest() }
            }
        }
    }

    /// What a request becomes: a refusal, or everything a relay needs.
    enum Plan: Sendable {
        case reject(OpenAIError, model: String?, stream: Bool)
        case relay(RelayPlan)
    }

    /// A relay's ingredients, built off the loop.
    struct RelayPlan: Sendable {
        var context: RequestContext
        var upstream: UpstreamRequest
        var upstreamModel: String
        var outputLimit: Int?
        var translation: Translation
    }

    /// Which translator the client's response goes through.
    enum Translation: Sendable {
        case agentStream(includeUsage: Bool, functionCalls: FunctionCallPolicy, sonarShape: Bool)
        case agentBody(functionCalls: FunctionCallPolicy)
        case chatFinal(includeUsage: Bool, sonarShape: Bool)
        case chatPassthrough(hidesUsageChunk: Bool)
        case chatBody
    }

    /// Parses, checks and translates the request. Pure: safe on any thread.
    func prepare(_ request: HTTPRequest, caller: Caller) -> Plan {
        let config = settings.config
        let chat: ChatCompletionRequest
        switch ChatCompletionRequest.parse(request.body) {
        case .failure(let error): return .reject(error, model: nil, stream: false)
        case .success(let parsed): chat = parsed
        }
        guard caller.allows(model: chat.model) else {
            return .reject(ClientErrors.modelNotAllowed(chat.model, caller: caller.name), model: chat.model, stream: chat.stream)
        }
        let context = RequestContext(
            state: state, settings: settings, caller: caller, route: "chat_completions", clientModel: chat.model, stream: chat.stream)
        let route = config.models[chat.model]
        var outputLimit = chat.outputTokenLimit(cap: route?.maxOutputTokens)
        switch config.upstream.api {
        case .agent:
            guard let route else {
                return .reject(
                    ClientErrors.unknownModel(chat.model, known: Array(config.models.keys)), model: chat.model, stream: chat.stream)
            }
            let agentRequest: AgentRequest
            switch AgentRequestTranslator.translate(chat, route: route) {
            case .failure(let error): return .reject(error, model: chat.model, stream: chat.stream)
            case .success(let translated): agentRequest = translated
            }
            if !agentRequest.droppedParameters.isEmpty {
                state.logger.debug(
                    "parameters with no Agent API equivalent dropped: \(agentRequest.droppedParameters.joined(separator: ", "))")
            }
            // What is reserved is what is sent: the Agent API gets at least its minimum.
            outputLimit = outputLimit.map { max($0, AgentRequestTranslator.minimumOutputTokens) }
            return .relay(
                RelayPlan(
                    context: context, upstream: context.upstreamRequest(path: "/v1/agent", from: request, body: agentRequest.body),
                    upstreamModel: route.model ?? route.preset ?? chat.model, outputLimit: outputLimit,
                    translation: chat.stream
                        ? .agentStream(
                            includeUsage: chat.includeUsage, functionCalls: agentRequest.functionCalls,
                            sonarShape: config.stream.metadata == .sonar)
                        : .agentBody(functionCalls: agentRequest.functionCalls)))
        case .chat:
            let upstreamModel = route?.model ?? chat.model
            let upstream = context.upstreamRequest(
                path: "/chat/completions", from: request,
                body: chat.chatUpstreamBody(model: upstreamModel, outputCap: route?.maxOutputTokens))
            let translation: Translation =
                switch (chat.stream, config.stream.metadata) {
                case (true, .final): .chatFinal(includeUsage: chat.includeUsage, sonarShape: false)
                case (true, .sonar): .chatFinal(includeUsage: chat.includeUsage, sonarShape: true)
                case (true, .passthrough): .chatPassthrough(hidesUsageChunk: !chat.includeUsage)
                case (false, _): .chatBody
                }
            return .relay(
                RelayPlan(
                    context: context, upstream: upstream, upstreamModel: upstreamModel, outputLimit: outputLimit, translation: translation))
        }
    }

    /// Answers a refusal or starts the relay. On the connection's loop.
    func start(_ plan: Plan, caller: Caller, response: HTTPResponseWriter) {
        let relayPlan: RelayPlan
        switch plan {
        case .reject(let error, let model, let stream): return reject(error, response, caller: caller, model: model, stream: stream)
        case .relay(let ready): relayPlan = ready
        }
        let model = relayPlan.context.clientModel
        func relay<T: StreamTranslator>(_ mode: ResponseBodyMode, _ translator: T, cancelsAgentRun: Bool = false) {
            relayPlan.context.startRelay(
                response, upstream: relayPlan.upstream, mode: mode, translator: translator, upstreamModel: relayPlan.upstreamModel,
                outputTokenLimit: relayPlan.outputLimit, cancelsAgentRun: cancelsAgentRun)
        }
        switch relayPlan.translation {
        case .agentStream(let includeUsage, let functionCalls, let sonarShape):
            relay(
                .stream,
                AgentStreamTranslator(
                    clientModel: model, includeUsage: includeUsage, fallbackID: RequestContext.makeChatID(), created: UnixTime.now(),
                    functionCalls: functionCalls, sonarShape: sonarShape),
                cancelsAgentRun: true)
        case .agentBody(let functionCalls):
            relay(.agentBody(clientModel: model, functionCalls: functionCalls), PassthroughRelay())
        case .chatFinal(let includeUsage, let sonarShape):
            relay(.stream, ChatStreamNormalizer(clientModel: model, includeUsage: includeUsage, sonarShape: sonarShape))
        case .chatPassthrough(let hidesUsageChunk):
            relay(.stream, PassthroughRelay(hidesUsageChunk: hidesUsageChunk))
        case .chatBody:
            relay(.passthroughBody(.chatCompletion), PassthroughRelay())
        }
    }

    private func reject(_ error: OpenAIError, _ response: HTTPResponseWriter, caller: Caller, model: String?, stream: Bool) {
        RequestRejection.reject(
            error, response: response, state: state, caller: caller, route: "chat_completions", model: model, stream: stream)
    }
}
