/// One HTTP request to the upstream, ready for libcurl.
public struct UpstreamRequest: Sendable {
    /// Absolute URL.
    public var url: String
    /// "POST" or "GET".
    public var method: String
    /// Request headers, `Authorization` included.
    public var headers: [(String, String)]
    /// Request body (empty for GET).
    public var body: [UInt8]
    /// TCP + TLS connect timeout.
    public var connectTimeoutMs: Int
    /// Whole-transfer limit, for bounded side requests (e.g. cancel calls); nil for streams.
    public var totalTimeoutMs: Int?
    /// HTTP/2 (`upstream.http2`): prior knowledge on `http://`, ALPN on `https://`. Otherwise HTTP/1.1.
    public var http2: Bool
    /// CA bundle to verify the upstream with (`upstream.ca_file`); nil uses the system's.
    public var caFile: String?
    /// Outbound proxy (`upstream.proxy`); nil leaves libcurl to `HTTPS_PROXY` / `NO_PROXY`.
    public var proxy: String?
    /// Removed from everything the upstream sends back (headers, body, error text) before anything reads it: the
    /// upstream key, so an upstream that echoes it cannot hand it to a client.
    public var secret: String?

    public init(
        url: String, method: String, headers: [(String, String)], body: [UInt8], connectTimeoutMs: Int, totalTimeoutMs: Int? = nil,
        http2: Bool = false, secret: String? = nil, caFile: String? = nil, proxy: String? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.http2 = http2
        self.secret = secret
        self.caFile = caFile
        self.proxy = proxy
    }
}
