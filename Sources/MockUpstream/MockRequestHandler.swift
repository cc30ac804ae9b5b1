import ProxyCore

/// Routes requests to the mock: `GET /mock/stats` for tests, everything else to the scripted Perplexity emulator.
struct MockRequestHandler: HTTPRequestHandler {
    let responder: MockResponder
    let options: MockOptions
    let stats: MockStats

    func handle(_ request: HTTPRequest, response: HTTPResponseWriter) {
        if request.path == "/mock/stats" {
            var headers = HTTPHeaders()
            headers.add("Content-Type", "application/json")
            response.respond(status: 200, headers: headers, body: stats.snapshot.json)
            return
        }
        let mockRequest = MockRequest(
            method: request.method, path: String(request.path),
            headers: request.headers.fields.map { MockHeader($0.name, $0.value) }, body: request.body)
        let script = responder.script(for: mockRequest)
        let cancelled = MockResponder.cancelledID(in: mockRequest)
        let authorized = options.expectedKey.map { request.headers["Authorization"] == "Bearer \($0)" } ?? true
        stats.update {
            $0.requests += 1
            $0.lastPath = String(request.path)
            $0.lastBody = request.body
            $0.lastAuthorizationMatches = authorized
            if let cancelled { $0.cancellations.append(cancelled) }
        }
        MockScriptRunner(writer: response, steps: script.steps, stats: stats).start()
    }
}
