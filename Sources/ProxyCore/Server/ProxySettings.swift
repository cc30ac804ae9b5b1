/// Everything a request needs from configuration, fixed for that request's lifetime.
///
/// A SIGHUP reload builds a new value and swaps it in; requests already running keep the one they started with.
public struct ProxySettings: Sendable {
    /// The validated configuration.
    public var config: ProxyConfig
    /// The upstream key, or nil when none is set (demo, or an upstream that needs none).
    public var upstreamKey: String?
    /// Member keys, looked up by bearer token.
    public var members: MemberDirectory

    public init(config: ProxyConfig, upstreamKey: String?) {
        self.config = config
        self.upstreamKey = upstreamKey
        self.members = MemberDirectory(config.clients)
    }
}
