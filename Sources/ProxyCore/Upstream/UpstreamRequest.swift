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
    /// Removed from everything the upstream sends back (headers, body, error text) before anything reads it: the
    /// upstream key, so an upstream that echoes it cannot hand it to a client.
    public var secret: String?

    public init(
        url: String, method: String, headers: [(String, String)], body: [UInt8], connectTimeoutMs: Int, totalTimeoutMs: Int? = nil,
        http2: Bool = false, secret: String? = nil
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.connectTimeoutMs = connectTimeoutMs
        self.totalTimeoutMs = totalTimeoutMs
        self.http2 = http2
        self.secret = secret
    }
}
