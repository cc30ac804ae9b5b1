/// Decides whether a 2xx upstream answer is what was asked for before it is relayed as a success (CONTRACT
/// "Errors": a 200 that is not JSON, is an error object or is HTML is a 502 `upstream_invalid_response`).
enum UpstreamAnswerCheck {
    /// Whether a streaming request's answer announces an event stream. A missing `Content-Type` is given the
    /// benefit of the doubt: the events themselves are checked as they come.
    static func isEventStream(contentType: String?) -> Bool {
        guard let contentType else { return true }
        return contentType.lowercased().hasPrefix("text/event-stream")
    }

    /// The 502 for a non-streaming 2xx body that is not a JSON object of `kind`, or nil when it is one.
    static func problem(body: [UInt8], kind: UpstreamBodyKind, contentType: String?) -> OpenAIError? {
        let verdict: Verdict = body.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root(), root.kind == .object else { return .notJSON }
            let error = json.member("error", of: root)
            switch kind {
            case .chatCompletion:
                if let error, !json.isNull(error) { return .errorObject }
                return json.member("choices", of: root)?.kind == .array ? .fine : .wrongKind
            case .agentResponse:
                // A failed run is still a response object (its `error` is the run's): the caller reads its status.
                if json.stringEquals(json.member("object", of: root), "response")
                    || json.member("output", of: root)?.kind == .array
                {
                    return .fine
                }
                if let error, !json.isNull(error) { return .errorObject }
                return .wrongKind
            }
        }
        switch verdict {
        case .fine: return nil
        case .notJSON: return invalid("a body that is not a JSON object" + described(contentType))
        case .errorObject: return invalid("an error object" + said(body))
        case .wrongKind:
            let expected = kind == .chatCompletion ? "a chat.completion object" : "an Agent API response object"
            return invalid("a JSON object that is not \(expected)")
        }
    }

    /// The 502 for a streaming request answered with a 2xx that is not an event stream (`body` is what came).
    static func notAStream(body: [UInt8], contentType: String?) -> OpenAIError {
        let isError: Bool = body.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            let error = json.member("error", of: json.root())
            return error.map { !json.isNull($0) } ?? false
        }
        if isError { return invalid("an error object instead of an event stream" + said(body)) }
        return invalid("\(contentType ?? "a body") instead of an event stream")
    }

    private enum Verdict { case fine, notJSON, errorObject, wrongKind }

    private static func invalid(_ what: String) -> OpenAIError {
        OpenAIError(
            status: 502, type: "upstream_error", code: "upstream_invalid_response",
            message: UpstreamErrorMapper.clip("The upstream answered a success status with \(what)."))
    }

    private static func described(_ contentType: String?) -> String {
        contentType.map { " (\($0))" } ?? ""
    }

    /// The upstream's own message, if its body has one (already scrubbed at entry), clipped.
    private static func said(_ body: [UInt8]) -> String {
        UpstreamErrorBody(body).message.map { ": " + UpstreamErrorMapper.clip($0) } ?? ""
    }
}
