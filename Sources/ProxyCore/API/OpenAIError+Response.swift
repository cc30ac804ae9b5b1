extension OpenAIError {
    /// The error as a complete JSON response (`Retry-After` when set), plus `extraHeaders`.
    public func response(extraHeaders: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var headers = extraHeaders
        headers.add("Content-Type", "application/json")
        if let retry = retryAfterSeconds { headers.add("Retry-After", String(retry)) }
        return HTTPResponse(status: status, headers: headers, body: jsonBody)
    }
}

extension HTTPResponseWriter {
    /// Sends an OpenAI-style error response (JSON body, `Retry-After` when set).
    public func respond(error: OpenAIError, extraHeaders: HTTPHeaders = HTTPHeaders()) {
        respond(error.response(extraHeaders: extraHeaders))
    }
}
