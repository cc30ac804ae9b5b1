/// A request's head: what is known before its body arrives, enough to refuse the request without reading on.
public struct HTTPRequestHead: Sendable {
    /// The method, e.g. "POST".
    public var method: String
    /// The request target as sent, e.g. "/v1/chat/completions?x=1" or "http://host/v1/models".
    public var target: String
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// The header fields.
    public var headers: HTTPHeaders

    public init(method: String, target: String, minorVersion: Int, headers: HTTPHeaders) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// The target's path, without the query string, also for the absolute form (`http://host/path`), which
    /// RFC 9112 §3.2.2 requires a server to accept.
    public var path: Substring { Self.path(of: target) }

    /// Whether the connection stays open after the response (HTTP/1.1 default; HTTP/1.0 only when asked).
    public var keepAlive: Bool {
        if minorVersion == 0 { return headers.contains("Connection", token: "keep-alive") }
        return !headers.contains("Connection", token: "close")
    }

    /// Why the head breaks HTTP/1.1's rules for a server, if it does: RFC 9112 §3.2 requires exactly one `Host`
    /// field in an HTTP/1.1 request.
    public var semanticProblem: String? {
        guard minorVersion >= 1 else { return nil }
        switch headers.values("Host").count {
        case 0: return "HTTP/1.1 requests must carry a Host header"
        case 1: return nil
        default: return "a request must carry one Host header, not several"
        }
    }

    static func path(of target: String) -> Substring {
        var rest = Substring(target)
        for scheme in ["http://", "https://"] where rest.utf8.count > scheme.utf8.count && rest.prefix(scheme.count).lowercased() == scheme
        {
            rest = rest.dropFirst(scheme.count)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
            break
        }
        return rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? rest
    }
}
