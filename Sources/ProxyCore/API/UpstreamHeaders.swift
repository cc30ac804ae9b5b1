/// The headers sent upstream: the caller's end-to-end headers minus credentials and hop-by-hop fields, plus the
/// upstream key.
enum UpstreamHeaders {
    /// Never forwarded: hop-by-hop (RFC 9110 §7.6.1), framing we redo ourselves, and the caller's credentials.
    private static let dropped: Set<String> = [
        "authorization", "proxy-authorization", "connection", "keep-alive", "proxy-connection", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length", "expect", "accept-encoding", "accept", "cookie",
        // Other places SDKs put the caller's own credentials (Azure OpenAI's api-key, OpenAI org/project ids).
        "api-key", "x-api-key", "openai-organization", "openai-project",
    ]

    static func build(from request: HTTPRequest, upstreamKey: String?, accept: String) -> [(String, String)] {
        let connectionListed = Set(
            request.headers.values("Connection").flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces().lowercased() })
        var headers: [(String, String)] = []
        for field in request.headers where !dropped.contains(field.name.lowercased()) && !connectionListed.contains(field.name.lowercased())
        {
            if field.name.caseInsensitiveEquals("content-type") { continue }
            headers.append((field.name, field.value))
        }
        headers.append(("Content-Type", "application/json"))
        headers.append(("Accept", accept))
        if let upstreamKey { headers.append(("Authorization", "Bearer \(upstreamKey)")) }
        return headers
    }
}
