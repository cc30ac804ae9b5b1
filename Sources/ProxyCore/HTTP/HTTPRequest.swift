/// A fully received HTTP/1.x request: head and (possibly empty) body.
public struct HTTPRequest: Sendable {
    /// The method, e.g. "POST".
    public var method: String
    /// The request target as sent, e.g. "/v1/chat/completions?x=1".
    public var target: String
    /// Minor version: 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// The header fields.
    public var headers: HTTPHeaders
    /// The body, de-chunked.
    public var body: [UInt8]

    public init(method: String, target: String, minorVersion: Int, headers: HTTPHeaders, body: [UInt8]) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
        self.body = body
    }

    /// The head alone.
    public var head: HTTPRequestHead {
        HTTPRequestHead(method: method, target: target, minorVersion: minorVersion, headers: headers)
    }

    /// The target's path without its query string (absolute-form targets too).
    public var path: Substring { HTTPRequestHead.path(of: target) }

    /// Whether the connection stays open after the response (HTTP/1.1 default; HTTP/1.0 only when asked).
    public var keepAlive: Bool { head.keepAlive }
}
