import Logging

/// Routes requests to the proxy's endpoints: the chat completions relay, model list, Agent API pass-through,
/// health, readiness, metrics, and the admin usage report with its dashboard.
public struct ProxyRequestHandler: HTTPRequestHandler {
    let state: ProxyState

    public init(state: ProxyState) {
        self.state = state
    }

    public func handle(_ request: HTTPRequest, response: HTTPResponseWriter) {
        let path = request.path
        switch path {
        case "/healthz":
            guard request.method == "GET" || request.method == "HEAD" else {
                return reject(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "healthz", allow: "GET")
            }
            respondJSON(response, status: 200, body: #"{"status":"ok"}"#, route: "healthz")
        case "/readyz":
            guard request.method == "GET" || request.method == "HEAD" else {
                return reject(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "readyz", allow: "GET")
            }
            if state.isDraining {
                respondJSON(response, status: 503, body: #"{"status":"draining"}"#, route: "readyz")
            } else {
                respondJSON(response, status: 200, body: #"{"status":"ready"}"#, route: "readyz")
            }
        case "/metrics":
            guard request.method == "GET" else {
                return reject(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "metrics", allow: "GET")
            }
            let settings = state.settings
            if !settings.config.metricsAreOpen, case .failure(let error) = Caller.authenticate(request, members: settings.members) {
                return reject(request, response, error, route: "metrics")
            }
            var headers = HTTPHeaders()
            headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            state.metrics.recordRequest(route: "metrics", status: 200)
            response.respond(status: 200, headers: headers, body: Array(state.metrics.render().utf8))
        case "/dashboard":
            guard request.method == "GET" || request.method == "HEAD" else {
                return reject(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "dashboard", allow: "GET")
            }
            state.metrics.recordRequest(route: "dashboard", status: 200)
            response.respond(DashboardPage.response())
        case "/admin/usage":
            guard request.method == "GET" else {
                return rejectAfterAuthentication(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "admin", allow: "GET")
            }
            withCaller(request, response, route: "admin", refusedWhileDraining: false) { settings, caller in
                AdminEndpoint(state: state, settings: settings).handle(request, caller: caller, response: response)
            }
        case "/chat/completions", "/v1/chat/completions":
            guard request.method == "POST" else {
                return rejectAfterAuthentication(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "POST"), route: "chat_completions",
                    allow: "POST")
            }
            withCaller(request, response, route: "chat_completions") { settings, caller in
                ChatCompletionsEndpoint(state: state, settings: settings).handle(request, caller: caller, response: response)
            }
        case "/models", "/v1/models":
            guard request.method == "GET" else {
                return rejectAfterAuthentication(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "models", allow: "GET")
            }
            withCaller(request, response, route: "models") { settings, caller in
                respondJSON(response, status: 200, body: ModelList.json(settings.config, caller: caller), route: "models")
            }
        case "/v1/responses", "/v1/agent", "/responses":
            guard request.method == "POST" else {
                return rejectAfterAuthentication(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "POST"), route: "agent", allow: "POST")
            }
            withCaller(request, response, route: "agent") { settings, caller in
                AgentPassthroughEndpoint(state: state, settings: settings).handle(request, caller: caller, response: response)
            }
        case _ where path.hasPrefix("/models/") || path.hasPrefix("/v1/models/"):
            guard request.method == "GET" else {
                return rejectAfterAuthentication(
                    request, response, ClientErrors.methodNotAllowed(request.method, allowed: "GET"), route: "models", allow: "GET")
            }
            withCaller(request, response, route: "models") { settings, caller in
                let id = String(path.hasPrefix("/v1/") ? path.dropFirst("/v1/models/".count) : path.dropFirst("/models/".count))
                guard let body = ModelList.json(settings.config, caller: caller, id: id) else {
                    return reject(request, response, ClientErrors.modelNotFound(id), route: "models")
                }
                respondJSON(response, status: 200, body: body, route: "models")
            }
        default:
            rejectAfterAuthentication(request, response, ClientErrors.notFound(path), route: "unknown")
        }
    }

    /// Authenticates, refuses while draining (unless told not to), then runs `body` with the request's settings snapshot.
    private func withCaller(
        _ request: HTTPRequest, _ response: HTTPResponseWriter, route: String, refusedWhileDraining: Bool = true,
        _ body: (ProxySettings, Caller) -> Void
    ) {
        if refusedWhileDraining, state.isDraining { return reject(request, response, ClientErrors.draining, route: route) }
        let settings = state.settings
        switch Caller.authenticate(request, members: settings.members) {
        case .failure(let error): reject(request, response, error, route: route)
        case .success(let caller): body(settings, caller)
        }
    }

    /// With members configured every route but health and readiness needs a member key, so an unauthenticated
    /// request to an unknown path or with a wrong method gets the 401, not a 404/405 that maps the API.
    private func rejectAfterAuthentication(
        _ request: HTTPRequest, _ response: HTTPResponseWriter, _ error: OpenAIError, route: String, allow: String? = nil
    ) {
        if case .failure(let unauthenticated) = Caller.authenticate(request, members: state.settings.members) {
            return reject(request, response, unauthenticated, route: route)
        }
        reject(request, response, error, route: route, allow: allow)
    }

    /// Counts an HTTP-level failure (malformed request, limits, timeouts) answered by the connection itself.
    public func requestFailed(status: Int) {
        state.metrics.recordRequest(route: "invalid", status: status)
    }

    /// Refuses a request whose body is still coming when its caller has no valid key: the 401 goes out before the
    /// body is read, so an unauthenticated client cannot make the proxy buffer a large body. Health and
    /// readiness, the dashboard page (it holds no data) and open metrics need no key.
    public func screen(_ head: HTTPRequestHead) -> HTTPResponse? {
        let settings = state.settings
        switch head.path {
        case "/healthz", "/readyz": return nil
        case "/dashboard" where head.method == "GET" || head.method == "HEAD": return nil
        case "/metrics" where settings.config.metricsAreOpen: return nil
        default: break
        }
        guard case .failure(let error) = Caller.authenticate(head.headers, members: settings.members) else { return nil }
        state.metrics.recordRequest(route: "unauthenticated", status: error.status)
        state.logger.info("\(head.method) \(head.path) -> \(error.status) \(error.code) (before the body)")
        return error.response()
    }

    /// The OpenAI-style error for an HTTP-level failure the connection found.
    public func response(for failure: HTTPParseFailure) -> HTTPResponse {
        let code: String =
            switch failure.status {
            case 413: "request_too_large"
            case 431: "request_header_fields_too_large"
            case 408: "request_timeout"
            default: "invalid_http_request"
            }
        return OpenAIError(status: failure.status, type: "invalid_request_error", code: code, message: failure.message).response()
    }

    private func reject(_ request: HTTPRequest, _ response: HTTPResponseWriter, _ error: OpenAIError, route: String, allow: String? = nil) {
        state.metrics.recordRequest(route: route, status: error.status)
        state.logger.info("\(request.method) \(request.path) -> \(error.status) \(error.code)")
        var headers = HTTPHeaders()
        if let allow { headers.add("Allow", allow) }
        response.respond(error: error, extraHeaders: headers)
    }

    private func respondJSON(_ response: HTTPResponseWriter, status: Int, body: String, route: String) {
        state.metrics.recordRequest(route: route, status: status)
        var headers = HTTPHeaders()
        headers.add("Content-Type", "application/json")
        response.respond(status: status, headers: headers, body: Array(body.utf8))
    }
}
