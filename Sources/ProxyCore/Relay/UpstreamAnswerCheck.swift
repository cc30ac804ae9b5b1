/// Decides whether a 2xx upstream answer is what was asked for before it is relayed as a success (CONTRACT
/// "Errors": a 200 that is not JSON, is an error object or is HTML is a 502 `upstream_invalid_response`).
enum UpstreamAnswerCheck {
    /// Whether a streaming request's answer announces an event stream. A missing `Content-Type` is given the
    /// benefit of the doubt: the events themselves are checked as they come.
    static func isEventStream(contentType: String?) -> Bool {
        guard let contentType else { return true }
        return contentType.lowercased().hasPrefix("text/event-stream")
    }

    /// A non-streaming 2xx body read once: whether it is what was asked for, and its top-level `usage`.
    struct Reading {
        /// The 502 when the body is not a JSON object of the kind asked for; nil when it is one.
        let problem: OpenAIError?
        /// The body's top-level chat-completions `usage`, if it has one.
        let usage: StreamUsage?
    }

    /// Reads a non-streaming 2xx body in two passes over it (one that validates it, one over its top-level
    /// members), not one per member: this is on the path of every non-streaming request.
    static func read(body: [UInt8], kind: UpstreamBodyKind, contentType: String?) -> Reading {
        let (verdict, usage): (Verdict, StreamUsage?) = body.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root(), root.kind == .object,
                let found = json.members(["error", "choices", "object", "output", "usage"], of: root)
            else { return (.notJSON, nil) }
            let (error, choices, object, output) = (found[0], found[1], found[2], found[3])
            let usage = found[4].flatMap { $0.kind == .object ? StreamUsage(chatUsageJSON: json.rawBytes($0)) : nil }
            let isError = error.map { !json.isNull($0) } ?? false
            switch kind {
            case .chatCompletion:
                if isError { return (.errorObject, usage) }
                return (choices?.kind == .array ? .fine : .wrongKind, usage)
            case .agentResponse:
                // A failed run is still a response object (its `error` is the run's): the caller reads its status.
                if json.stringEquals(object, "response") || output?.kind == .array { return (.fine, usage) }
                return (isError ? .errorObject : .wrongKind, usage)
            }
        }
        switch verdict {
        case .fine: return Reading(problem: nil, usage: usage)
        case .notJSON: return Reading(problem: invalid("a body that is not a JSON object" + described(contentType)), usage: nil)
        case .errorObject: return Reading(problem: invalid("an error object" + said(body)), usage: nil)
        case .wrongKind:
            let expected = kind == .chatCompletion ? "a chat.completion object" : "an Agent API response object"
            return Reading(problem: invalid("a JSON object that is not \(expected)"), usage: nil)
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
