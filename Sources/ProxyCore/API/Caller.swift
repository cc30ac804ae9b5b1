/// Who made a request: a configured member, or anonymous when no members are configured.
public struct Caller: Sendable {
    /// The member's name, or "anonymous".
    public var name: String
    /// The member's configuration (nil when anonymous).
    public var member: ClientConfig?

    /// Whether this caller may use `model`.
    public func allows(model: String) -> Bool {
        member?.allows(model: model) ?? true
    }

    /// Identifies the caller from the `Authorization` header: anonymous when no members exist, else the member
    /// whose key hash matches, else a 401.
    static func authenticate(_ request: HTTPRequest, members: MemberDirectory) -> Result<Caller, OpenAIError> {
        authenticate(request.headers, members: members)
    }

    /// Identifies the caller from a request's headers (the head alone suffices).
    static func authenticate(_ headers: HTTPHeaders, members: MemberDirectory) -> Result<Caller, OpenAIError> {
        guard !members.isEmpty else { return .success(Caller(name: "anonymous", member: nil)) }
        guard let header = headers["Authorization"] else {
            return .failure(
                OpenAIError(
                    status: 401, type: "invalid_request_error", code: "missing_api_key",
                    message: "Missing API key: send your member key as 'Authorization: Bearer <key>'."))
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].caseInsensitiveEquals("Bearer"),
            let member = members.member(forBearer: String(parts[1].trimmingSpaces()))
        else {
            return .failure(
                OpenAIError(
                    status: 401, type: "invalid_request_error", code: "invalid_api_key",
                    message: "Incorrect API key provided. Ask the proxy's operator for a member key."))
        }
        return .success(Caller(name: member.name, member: member))
    }
}
