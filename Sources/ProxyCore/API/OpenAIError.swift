/// An error a client receives, rendered in OpenAI's shape:
/// `{"error":{"message":"…","type":"…","code":"…","param":null}}` with a matching HTTP status.
///
/// Every failure that reaches a client passes through this one type, so status, type and code stay consistent
/// between the pre-stream JSON response and the in-stream `event: error` frame.
public struct OpenAIError: Error, Sendable, Equatable {
    /// HTTP status sent when the error happens before a response has started.
    public var status: Int
    /// OpenAI-style category, e.g. `invalid_request_error`, `authentication_error`, `upstream_error`.
    public var type: String
    /// Machine-readable code, e.g. `invalid_json`, `upstream_timeout`.
    public var code: String
    /// Human-readable explanation. Never contains the upstream key.
    public var message: String
    /// The request parameter at fault, when there is one.
    public var param: String?
    /// Seconds for a `Retry-After` header (429, 503).
    public var retryAfterSeconds: Int?

    public init(
        status: Int, type: String, code: String, message: String, param: String? = nil,
        retryAfterSeconds: Int? = nil
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.message = message
        self.param = param
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The JSON body `{"error":{...}}`.
    public var jsonBody: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + message.utf8.count)
        out.append(contentsOf: #"{"error":{"message":"#.utf8)
        JSONEscaping.appendQuoted(message, to: &out)
        out.append(contentsOf: #","type":"#.utf8)
        JSONEscaping.appendQuoted(type, to: &out)
        out.append(contentsOf: #","code":"#.utf8)
        JSONEscaping.appendQuoted(code, to: &out)
        out.append(contentsOf: #","param":"#.utf8)
        if let param {
            JSONEscaping.appendQuoted(param, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }

    /// The in-stream form: `event: error\ndata: {"error":{...}}\n\n`, which both the openai and perplexityai
    /// SDKs raise on.
    public var sseFrame: [UInt8] {
        var out: [UInt8] = Array("event: error\ndata: ".utf8)
        out.append(contentsOf: jsonBody)
        out.append(contentsOf: "\n\n".utf8)
        return out
    }

    /// The in-stream form on the Agent API pass-through, shaped as that API's own bare `error` event (and the
    /// Responses API's): `{"type":"error","code","message","param","error":{...}}`.
    public var agentSSEFrame: [UInt8] {
        var out: [UInt8] = Array("event: error\ndata: ".utf8)
        out.append(contentsOf: #"{"type":"error","code":"#.utf8)
        JSONEscaping.appendQuoted(code, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        JSONEscaping.appendQuoted(message, to: &out)
        out.append(contentsOf: #","param":null,"#.utf8)
        // `jsonBody` is `{"error":{...}}`: its member, without the outer braces, completes the object.
        let body = jsonBody
        out.append(contentsOf: body[1..<(body.count - 1)])
        out.append(contentsOf: "}\n\n".utf8)
        return out
    }
}
