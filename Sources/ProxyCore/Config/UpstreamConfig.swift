/// Which wire protocol the upstream speaks.
public enum UpstreamAPI: String, Sendable, Equatable, CaseIterable {
    /// Perplexity's Agent API (`POST /v1/agent`, Open Responses stream); the proxy translates it to chat chunks.
    case agent
    /// Chat completions (any OpenAI-compatible server); the proxy relays its stream event by event.
    case chat
}

/// Where and how the proxy calls the upstream.
public struct UpstreamConfig: Sendable, Equatable {
    /// Perplexity's API, the default upstream.
    public static let defaultURL = "https://api.perplexity.ai"

    /// Base URL without a trailing slash; request paths (`/v1/agent`, `/chat/completions`) are appended to it.
    public var url: String
    /// The upstream's wire protocol.
    public var api: UpstreamAPI
    /// A file whose trimmed content is the upstream key, used when neither key variable is set.
    public var apiKeyFile: String?
    /// Limit for establishing the upstream connection (TCP and TLS).
    public var connectTimeoutMs: Int
    /// Limit for the first response byte. Generous because deep-research runs think for minutes before answering.
    public var firstByteTimeoutMs: Int
    /// Limit for silence between upstream bytes once the response has started.
    public var idleTimeoutMs: Int
    /// Limit for a whole upstream response, so a stream that never ends cannot hold a client, a member's stream
    /// slot and its reservation forever. Generous: deep research can take many minutes.
    public var maxStreamMs: Int
    /// Idle upstream connections kept for reuse, across all event loops (libcurl's connection cache). Busy
    /// connections are not capped: a stream never waits for a free connection.
    public var maxConnections: Int
    /// A PEM bundle of CA certificates the upstream's certificate is verified with, instead of the system's (a
    /// corporate proxy that re-signs TLS with its own CA). Verification itself can never be turned off.
    public var caFile: String?
    /// An outbound HTTP(S) proxy (`http://[user:password@]host:port`); nil leaves it to `HTTPS_PROXY` /
    /// `https_proxy` and `NO_PROXY`, as curl does.
    public var proxy: String?
    /// Use HTTP/2 upstream, multiplexing streams over few connections: prior knowledge ("h2c") on `http://`, ALPN
    /// on `https://`. Off by default: with HTTP/1.1 a slow client's pause stops one TCP connection, which libcurl
    /// 7.88 cannot guarantee for one stream of a shared HTTP/2 connection.
    public var http2: Bool

    public init(
        url: String = UpstreamConfig.defaultURL, api: UpstreamAPI = .agent, apiKeyFile: String? = nil,
        connectTimeoutMs: Int = 10_000, firstByteTimeoutMs: Int = 120_000, idleTimeoutMs: Int = 300_000,
        maxStreamMs: Int = 1_800_000, maxConnections: Int = 64, http2: Bool = false, caFile: String? = nil, proxy: String? = nil
    ) {
        self.url = url
        self.api = api
        self.apiKeyFile = apiKeyFile
        self.connectTimeoutMs = connectTimeoutMs
        self.firstByteTimeoutMs = firstByteTimeoutMs
        self.idleTimeoutMs = idleTimeoutMs
        self.maxStreamMs = maxStreamMs
        self.maxConnections = maxConnections
        self.http2 = http2
        self.caFile = caFile
        self.proxy = proxy
    }

    /// Checks an outbound proxy URL: `http://` or `https://` with a host, no path beyond `/`.
    public static func proxyURL(_ text: String) throws(ConfigValueError) -> String {
        let lowered = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else {
            throw ConfigValueError("expected an http:// or https:// proxy URL")
        }
        let rest = text.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" }
        guard !authority.isEmpty, !text.contains(where: \.isWhitespace) else {
            throw ConfigValueError("proxy URL has no host")
        }
        guard rest.dropFirst(authority.count).allSatisfy({ $0 == "/" }) else {
            throw ConfigValueError("proxy URL must not have a path")
        }
        return text
    }

    /// `url` with any `user:password@` replaced, for logs.
    public static func redactingCredentials(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://"), let at = url[schemeEnd.upperBound...].firstIndex(of: "@") else { return url }
        return String(url[..<schemeEnd.upperBound]) + "[credentials]" + String(url[at...])
    }

    /// Checks an upstream base URL and drops trailing slashes.
    ///
    /// Queries and fragments are refused because request paths are appended to the URL, which would land them
    /// inside the query.
    public static func normalizedURL(_ text: String) throws(ConfigValueError) -> String {
        let lowered = text.lowercased()
        guard let scheme = ["http://", "https://"].first(where: { lowered.hasPrefix($0) }) else {
            throw ConfigValueError("expected an http:// or https:// URL; got \"\(text)\"")
        }
        guard !text.contains(where: \.isWhitespace) else {
            throw ConfigValueError("URL must not contain whitespace; got \"\(text)\"")
        }
        guard !text.contains("?"), !text.contains("#") else {
            throw ConfigValueError("URL must not contain a query or fragment; got \"\(text)\"")
        }
        let afterScheme = text.dropFirst(scheme.count)
        guard let first = afterScheme.first, first != "/" else {
            throw ConfigValueError("URL has no host; got \"\(text)\"")
        }
        var trimmed = Substring(text)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        return String(trimmed)
    }
}
