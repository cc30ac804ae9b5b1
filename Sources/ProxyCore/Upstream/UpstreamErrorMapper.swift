#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one table from upstream outcomes (an HTTP error status before the stream started, or a transport failure)
/// to the `OpenAIError` the client receives (CONTRACT "Errors").
///
/// The caller is never blamed for the proxy's own key: an upstream 401/403 becomes a 502. Upstream text arrives
/// here already scrubbed of the key (`UpstreamTransfer` cleans every byte as it enters); every message that
/// carries it is capped, and non-JSON bodies (openresty's HTML 401 page) are never echoed.
public enum UpstreamErrorMapper {
    /// Longest piece of upstream-provided text passed on to a client, in UTF-8 bytes.
    static let upstreamTextLimit = 1024

    /// Error codes by which the retired Sonar endpoint identifies itself (perplexity-agent-api.md §1).
    private static let retiredCodes: Set<String> = ["chat_completions_not_available", "agent_api_migration_required"]

    /// Maps an upstream HTTP error response to the client's error.
    ///
    /// `now` (unix seconds) turns an epoch `x-ratelimit-reset` into a delay.
    public static func map(status: Int, headers: [(String, String)], body: [UInt8], now: Int = UnixTime.now()) -> OpenAIError {
        let details = UpstreamErrorBody(body)
        let upstreamMessage = details.message.map { clip($0) }
        switch status {
        case 400, 422:
            return OpenAIError(
                status: 400, type: "invalid_request_error",
                code: details.type ?? details.code ?? "upstream_invalid_request",
                message: upstreamMessage ?? "The upstream rejected the request (HTTP \(status)).",
                param: details.param.map { clip($0) })
        case 429:
            let delay = retryAfter(headers: headers, now: now)
            return OpenAIError(
                status: 429, type: "rate_limit_error", code: "upstream_rate_limited",
                message: upstreamMessage ?? "The upstream rate limit was exceeded; retry in \(delay) s.",
                retryAfterSeconds: delay)
        case 403 where details.isRetiredEndpoint(codes: retiredCodes):
            return OpenAIError(
                status: 502, type: "upstream_error", code: "upstream_endpoint_retired",
                message: "Perplexity retired Sonar chat completions on 2026-09-27, so the upstream no longer "
                    + "serves /chat/completions. Run the proxy with upstream.api \"agent\" (the default) to use "
                    + "the Agent API.")
        case 401, 403:
            return OpenAIError(
                status: 502, type: "upstream_error", code: "upstream_auth_failed",
                message: "The upstream refused the proxy's API key (HTTP \(status)). This is the proxy's "
                    + "configuration, not your request: its operator must check the upstream key."
                    + said(upstreamMessage))
        case 500...599:
            // The upstream's own Retry-After (a 503 during maintenance) is passed on: clients wait, not hammer.
            return OpenAIError(
                status: 502, type: "upstream_error", code: "upstream_server_error",
                message: "The upstream failed with HTTP \(status)." + said(upstreamMessage),
                retryAfterSeconds: statedRetryAfter(headers: headers, now: now))
        default:
            return OpenAIError(
                status: 502, type: "upstream_error", code: "upstream_bad_status",
                message: "The upstream answered with unexpected HTTP status \(status)." + said(upstreamMessage))
        }
    }

    /// Maps a transport failure to the client's error (detail text was scrubbed where the transfer made it).
    public static func map(_ failure: UpstreamFailure) -> OpenAIError {
        switch failure {
        case .unreachable(let detail):
            return upstreamError(502, "upstream_unreachable", "Could not reach the upstream: \(detail)")
        case .connectTimeout:
            return upstreamError(504, "upstream_timeout", "Timed out connecting to the upstream.")
        case .firstByteTimeout:
            return upstreamError(504, "upstream_timeout", "Timed out waiting for the upstream's first response byte.")
        case .idleTimeout:
            return upstreamError(504, "upstream_timeout", "Timed out: the upstream stopped sending in the middle of its response.")
        case .responseTooLong:
            return upstreamError(
                504, "upstream_timeout", "The upstream's response went on longer than the proxy allows (upstream.max_stream_ms).")
        case .tls(let detail):
            return upstreamError(502, "upstream_tls_error", "TLS with the upstream failed: \(detail)" + tlsAdvice(detail))
        case .protocolError(let detail):
            return upstreamError(502, "upstream_protocol_error", "The upstream sent an invalid HTTP response: \(detail)")
        case .truncated:
            return upstreamError(
                502, "upstream_stream_truncated", "The upstream closed the connection before its response was complete.")
        case .localResourcesExhausted:
            return OpenAIError(
                status: 503, type: "server_error", code: "proxy_overloaded",
                message: "The proxy has no free connections (file descriptors) right now; retry shortly.",
                retryAfterSeconds: 1)
        }
    }

    /// What to do about a certificate the proxy does not trust: a private CA (a corporate proxy that re-signs
    /// TLS, a self-hosted upstream) goes in `upstream.ca_file`.
    private static func tlsAdvice(_ detail: String) -> String {
        let lowered = detail.lowercased()
        if lowered.contains("unable to get local issuer") || lowered.contains("self-signed") || lowered.contains("self signed")
            || lowered.contains("unknown ca")
        {
            return " The upstream's certificate is signed by a CA the proxy does not trust: if it is a private CA (a "
                + "corporate proxy that re-signs TLS, for one), set upstream.ca_file to its PEM bundle."
        }
        if lowered.contains("subject name") || lowered.contains("does not match") {
            return " The upstream's certificate is not for the host name in upstream.url."
        }
        if lowered.contains("expired") {
            return " The upstream's certificate has expired."
        }
        return ""
    }

    private static func upstreamError(_ status: Int, _ code: String, _ message: String) -> OpenAIError {
        OpenAIError(status: status, type: "upstream_error", code: code, message: clip(message))
    }

    private static func said(_ upstreamMessage: String?) -> String {
        upstreamMessage.map { " Upstream said: \($0)" } ?? ""
    }

    /// Seconds until a retry: `Retry-After` (delta-seconds), else `x-ratelimit-reset` (an epoch, or a delay when
    /// small), else 1. Never less than 1.
    private static func retryAfter(headers: [(String, String)], now: Int) -> Int {
        statedRetryAfter(headers: headers, now: now) ?? 1
    }

    /// The delay the upstream stated, if it stated one (never less than 1).
    private static func statedRetryAfter(headers: [(String, String)], now: Int) -> Int? {
        if let value = header("retry-after", in: headers), let seconds = seconds(value) {
            return max(1, seconds)
        }
        if let value = header("x-ratelimit-reset", in: headers), let reset = seconds(value) {
            // Below a billion seconds (2001) the value cannot be an epoch, so it is a delay.
            return max(1, reset >= 1_000_000_000 ? reset - now : reset)
        }
        return nil
    }

    private static func header(_ name: String, in headers: [(String, String)]) -> String? {
        headers.first { $0.0.lowercased() == name }?.1
    }

    /// A non-negative number of seconds, rounding fractions up.
    private static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        if let whole = Int(trimmed), whole >= 0 { return whole }
        guard let value = Double(trimmed), value.isFinite, value >= 0, value < 1e15 else { return nil }
        return Int(value.rounded(.up))
    }

    /// Caps upstream-provided text at `upstreamTextLimit` bytes, cutting on a character boundary.
    static func clip(_ text: String) -> String {
        guard text.utf8.count > upstreamTextLimit else { return text }
        var kept = ""
        var size = 0
        for character in text {
            size += character.utf8.count
            guard size <= upstreamTextLimit else { break }
            kept.append(character)
        }
        return kept + "…"
    }
}
