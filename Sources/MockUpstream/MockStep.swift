/// One thing the mock's network engine does on a connection, in script order.
///
/// The engine writes `.head` as a status line plus headers. When the headers carry `Content-Length` the body
/// is written raw; otherwise it is chunked and each `.send` becomes one chunk (one write), so event
/// boundaries, splits and pauses reach the client exactly as scripted.
public enum MockStep: Sendable, Equatable {
    /// The status line and headers.
    case head(status: Int, headers: [MockHeader])
    /// One write of body bytes.
    case send([UInt8])
    /// Waits before the next step.
    case pause(milliseconds: Int)
    /// Keeps the connection open and sends nothing more until the client goes away.
    case holdOpen
    /// Closes the TCP connection abruptly, without finishing the body.
    case drop
    /// Finishes the response body normally (the zero-length chunk when chunked).
    case end
}

/// One HTTP header field as the mock sends or receives it.
public struct MockHeader: Sendable, Equatable {
    /// The field name, as written (compare case-insensitively).
    public var name: String
    /// The field value.
    public var value: String

    /// A header `name: value`.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
