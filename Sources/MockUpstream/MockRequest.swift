/// An HTTP request as the mock's engine parsed it.
public struct MockRequest: Sendable {
    /// `GET`, `POST`, ….
    public var method: String
    /// The request target, possibly with a query string.
    public var path: String
    /// The header fields in arrival order.
    public var headers: [MockHeader]
    /// The raw body, exactly as received.
    public var body: [UInt8]

    /// A request as parsed off the wire.
    public init(method: String, path: String, headers: [MockHeader] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// The value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The path without its query string.
    var route: Substring {
        path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
    }
}
