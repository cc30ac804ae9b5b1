/// What to do with a piece of upstream body.
public enum UpstreamDataDisposition: Sendable {
    /// Consumed.
    case accepted
    /// Not consumed: libcurl keeps it and pauses the transfer until `UpstreamTransfer.resume()`.
    case pause
    /// Stop the transfer now; its connection is closed.
    case stop
    /// The delegate is done (e.g. a terminal event was seen and the client response ended): read and drop the rest
    /// of the body for a short while so the connection can be reused, then give up. No further delegate calls.
    case discardRest
}

/// Receives an upstream transfer's events, on the transfer's event loop.
public protocol UpstreamTransferDelegate: AnyObject {
    /// The final (non-1xx) status line and headers arrived.
    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders)
    /// A piece of the body arrived (already scrubbed of the request's secret). A delegate that answers `.pause`
    /// must take none of it: the same piece comes again on resume.
    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamDataDisposition
    /// The last bytes of a body that ended cleanly, just before `upstreamDidComplete(.finished)`: the scrubber's
    /// held-back tail. They cannot be paused; the default hands them to `upstreamDidReceive`.
    func upstreamDidReceiveLast(_ bytes: UnsafeRawBufferPointer)
    /// The transfer ended. Not called after `cancel()` or `.stop`.
    func upstreamDidComplete(_ outcome: UpstreamOutcome)
}

extension UpstreamTransferDelegate {
    public func upstreamDidReceiveLast(_ bytes: UnsafeRawBufferPointer) {
        _ = upstreamDidReceive(bytes)
    }
}

/// How an upstream transfer ended.
public enum UpstreamOutcome: Sendable, Equatable {
    /// The body ended cleanly.
    case finished
    /// The transfer failed.
    case failed(UpstreamFailure)
}
