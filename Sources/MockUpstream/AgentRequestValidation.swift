import ProxyCore

/// An Agent API request body that passed validation.
struct AgentRequest {
    /// What `response.created` reports as the model: the preset (or effort) when given, else the model.
    var modelLabel: String
    var stream: Bool
    /// `max_output_tokens`, echoed in the response object.
    var maxOutputTokens: WireJSON
    var rawBody: [UInt8]
    /// Functions, answer schema and last turn, which choose the answer.
    var content = AgentRequestContent()
}

/// Validates a request body the way the Agent API does (perplexity-agent-api.md §2): Go's `encoding/json`
/// decoder with unknown fields disallowed, then the API's own checks.
enum AgentRequestValidation {
    /// Why a body was refused: the 400 message and, for field errors, the field.
    struct Refusal: Error, Equatable {
        var message: String
        var param: String?
    }

    /// The top-level fields the API accepts.
    static let allowedFields: Set<String> = [
        "input", "model", "models", "preset", "effort", "instructions", "stream", "max_output_tokens", "temperature",
        "top_p", "reasoning", "response_format", "tools", "tool_choice", "max_steps", "max_tool_calls",
        "language_preference", "previous_response_id", "store", "background", "metadata", "prompt_cache_key",
        "service_tier", "truncation", "skills", "profile",
    ]

    /// Fields whose JSON kind the decoder checks, with the Go type it names when the kind is wrong.
    private static let fieldTypes: [(name: String, kind: String, goType: String)] = [
        ("model", "string", "string"), ("preset", "string", "string"), ("effort", "string", "string"),
        ("instructions", "string", "string"), ("stream", "boolean", "bool"), ("max_output_tokens", "number", "int"),
        ("models", "array", "[]string"),
    ]

    /// The validated request, or why it was refused.
    static func validate(_ body: [UInt8]) -> Result<AgentRequest, Refusal> {
        let document: JSONValue
        do {
            document = try JSONValue.parse(body)
        } catch {
            let message =
                error.offset >= body.count
                ? "unexpected end of JSON input"
                : "invalid character '\(Character(Unicode.Scalar(body[error.offset])))' looking for beginning of value"
            return .failure(Refusal(message: "invalid request body: " + message))
        }
        guard case .object(let members) = document else {
            return .failure(
                Refusal(message: "invalid request body: json: cannot unmarshal \(goKind(document)) into Go value of type ResponsesRequest"))
        }
        let fields = Fields(members)
        // Go reports the first unknown field in document order, and matches field names case-insensitively.
        if let unknown = TopLevelKeys.inOrder(body).first(where: { !allowedFields.contains($0.lowercased()) }) {
            return .failure(Refusal(message: "invalid request body: json: unknown field \"\(unknown)\"", param: unknown))
        }
        for field in fieldTypes {
            if let value = fields[field.name], !value.isNull, value.kindName != field.kind {
                return .failure(
                    Refusal(
                        message: "invalid request body: json: cannot unmarshal \(goKind(value)) into Go struct field "
                            + "ResponsesRequest.\(field.name) of type \(field.goType)",
                        param: field.name))
            }
        }
        if isEmptyInput(fields["input"]) {
            return .failure(Refusal(message: "validation failed: input cannot be empty"))
        }
        let models = ([fields["model"]?.stringValue].compactMap { $0 } + (fields["models"]?.arrayValue ?? []).compactMap(\.stringValue))
            .filter { !$0.isEmpty }
        let preset = [fields["preset"]?.stringValue, fields["effort"]?.stringValue].compactMap { $0 }.first { !$0.isEmpty }
        guard let label = preset ?? models.first else {
            return .failure(Refusal(message: "validation failed: either model or preset is required"))
        }
        if models.contains(where: { !$0.contains("/") }) {
            return .failure(Refusal(message: "model is not supported"))
        }
        let maxOutputTokens = fields["max_output_tokens"].flatMap { value -> WireJSON? in
            guard case .number(let lexeme) = value else { return nil }
            return .number(lexeme)
        }
        let content: AgentRequestContent
        switch AgentRequestContent.read(members) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let read): content = read
        }
        return .success(
            AgentRequest(
                modelLabel: label, stream: fields["stream"]?.boolValue ?? false,
                maxOutputTokens: maxOutputTokens ?? .null, rawBody: body, content: content))
    }

    private static func isEmptyInput(_ input: JSONValue?) -> Bool {
        switch input {
        case nil, .null: true
        case .string(let text): text.isEmpty
        case .array(let items): items.isEmpty
        case .bool, .number, .object: false
        }
    }

    /// Go's name for a JSON value's kind in unmarshal errors.
    private static func goKind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Top-level members looked up as Go does: an exact name first, else a case-insensitive match.
    private struct Fields {
        var members: [String: JSONValue]

        init(_ members: [String: JSONValue]) {
            self.members = members
        }

        subscript(name: String) -> JSONValue? {
            members[name] ?? members.first { $0.key.lowercased() == name }?.value
        }
    }
}
