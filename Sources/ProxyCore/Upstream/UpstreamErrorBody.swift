/// What an upstream error body says, read from the shapes Perplexity and OpenAI-compatible servers use:
/// `{"error":{"message","type","code","param"}}` (code an int or a string), `{"error":"…"}`, a top-level
/// `message`, and FastAPI's `{"detail":"…"}` or `{"detail":[{"loc":[…],"msg":"…"}]}`. A body that is not JSON
/// (an HTML error page) yields nothing, so it is never echoed.
struct UpstreamErrorBody {
    var message: String?
    var type: String?
    /// The code when it is a string; numeric codes (Perplexity repeats the HTTP status there) carry no meaning.
    var code: String?
    var param: String?

    init(_ body: [UInt8]) {
        guard let root = try? JSONValue.parse(body), case .object(let members) = root else { return }
        var fields = members
        if case .object(let error)? = members["error"] {
            fields = error
        } else if case .string(let text)? = members["error"] {
            message = text
            fields = [:]
        }
        message = message ?? fields["message"]?.stringValue
        type = fields["type"]?.stringValue
        code = fields["code"]?.stringValue
        param = fields["param"]?.stringValue
        if message == nil { message = Self.detailMessage(members["detail"]) }
    }

    /// Whether this is the 403 body of the retired Sonar chat-completions endpoint.
    func isRetiredEndpoint(codes: Set<String>) -> Bool {
        if let type, codes.contains(type) { return true }
        if let code, codes.contains(code) { return true }
        return message?.hasPrefix("Sonar is now the Agent API") ?? false
    }

    /// FastAPI's validation detail as `loc: msg; loc: msg` (`body.messages.0.content: field required`).
    private static func detailMessage(_ detail: JSONValue?) -> String? {
        if case .string(let text)? = detail { return text }
        guard case .array(let items)? = detail else { return nil }
        let parts = items.compactMap { item -> String? in
            guard let msg = item["msg"]?.stringValue else { return nil }
            let location = (item["loc"]?.arrayValue ?? []).compactMap { part -> String? in
                switch part {
                case .string(let name): name
                case .number(let lexeme): lexeme
                case .null, .bool, .array, .object: nil
                }
            }
            return location.isEmpty ? msg : location.joined(separator: ".") + ": " + msg
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
