extension OpenAIError {
    /// Error codes for failures a retry cannot fix: the proxy's upstream key refused, the endpoint retired.
    static let unretryableCodes: Set<String> = ["upstream_auth_failed", "upstream_endpoint_retired"]

    /// The error as a complete JSON response (`Retry-After` when set, `x-should-retry: false` when a retry cannot
    /// help: the OpenAI SDKs otherwise retry every 5xx), plus `extraHeaders`.
    public func response(extraHeaders: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extraHeaders
        headers.add("Content-Type", "application/json")
        if let retry = retryAfterSeconds { headers.add("Retry-After", String(retry)) }
        if Self.unretryableCodes.contains(code) { headers.add("x-should-retry", "false") }
        return HTTPResponse(status: status, headers: headers, body: jsonBody)
    }
}

extension HTTPResponseWriter {
    /// Sends an OpenAI-style error response (JSON body, `Retry-After` when set).
    public func respond(error: OpenAIError, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        respond(error.response(extraHeaders: extraHeaders))
    }
}
