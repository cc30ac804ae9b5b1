/// Why an upstream transfer failed without an HTTP status to report: the transport-level outcomes the transfer
/// layer hands to `UpstreamErrorMapper`.
public enum UpstreamFailure: Sendable, Equatable {
    /// No connection could be made (DNS, refused, reset before a response); the detail names the cause.
    case unreachable(String)
    /// The TCP/TLS connection was not established within the connect timeout.
    case connectTimeout
    /// The connection was made but no response byte arrived within the first-byte timeout.
    case firstByteTimeout
    /// The response started, then the upstream went silent for longer than the idle timeout.
    case idleTimeout
    /// The TLS handshake or certificate check failed; the detail names the cause.
    case tls(String)
    /// The upstream broke HTTP (malformed status line, headers or chunking); the detail names the cause.
    case protocolError(String)
    /// The upstream closed the connection before the body was complete.
    case truncated
    /// The proxy itself ran out of descriptors or memory opening the upstream connection: its fault, not the
    /// upstream's.
    case localResourcesExhausted
    /// The response went on past `upstream.max_stream_ms` (an upstream stream that never ends).
    case responseTooLong

    /// A short label for `pplx_upstream_errors_total{kind}`.
    var metricsLabel: String {
        switch self {
        case .unreachable: "unreachable"
        case .connectTimeout: "connect_timeout"
        case .firstByteTimeout: "first_byte_timeout"
        case .idleTimeout: "idle_timeout"
        case .tls: "tls"
        case .protocolError: "protocol"
        case .truncated: "truncated"
        case .localResourcesExhausted: "proxy_overloaded"
        case .responseTooLong: "max_response_time"
        }
    }
}
