/// Settings given on the command line or in the environment, laid over the config file.
///
/// Precedence is flag > environment > file > default, which the caller gets by applying the environment's
/// overrides to the loaded file and the flags' overrides to that, then calling `ProxyConfig.validate()` once
/// (or by calling `layered(_:environment:commandLine:)`, which does all three).
public struct ConfigOverrides: Sendable, Equatable {
    /// Where the values came from; it decides the names problems are reported under.
    public enum Origin: Sendable, Equatable {
        /// Flags such as `--listen`.
        case commandLine
        /// Variables such as `PPLX_PROXY_LISTEN`.
        case environment
    }

    /// `HOST:PORT` for `listen`.
    public var listen: String?
    /// Base URL for `upstream.url`.
    public var upstreamURL: String?
    /// `agent` or `chat` for `upstream.api`.
    public var upstreamAPI: String?
    /// `final` or `passthrough` for `stream.metadata`.
    public var metadata: String?
    /// One of `ProxyConfig.logLevels` for `log_level`.
    public var logLevel: String?
    /// A PEM CA bundle for `upstream.ca_file`.
    public var caFile: String?
    /// Source of these values.
    public var origin: Origin

    public init(
        listen: String? = nil, upstreamURL: String? = nil, upstreamAPI: String? = nil, metadata: String? = nil,
        logLevel: String? = nil, caFile: String? = nil, origin: Origin = .commandLine
    ) {
        self.listen = listen
        self.upstreamURL = upstreamURL
        self.upstreamAPI = upstreamAPI
        self.metadata = metadata
        self.logLevel = logLevel
        self.caFile = caFile
        self.origin = origin
    }

    /// Reads `PPLX_PROXY_LISTEN`, `PPLX_PROXY_UPSTREAM`, `PPLX_PROXY_UPSTREAM_API`, `PPLX_PROXY_METADATA`,
    /// `PPLX_PROXY_LOG_LEVEL` and `PPLX_PROXY_CA_FILE`; an empty variable counts as unset, as shells make
    /// unsetting awkward.
    public static func fromEnvironment(_ environment: [String: String]) -> ConfigOverrides {
        func value(_ setting: Setting) -> String? {
            environment[setting.environmentName].flatMap { $0.isEmpty ? nil : $0 }
        }
        return ConfigOverrides(
            listen: value(.listen), upstreamURL: value(.upstreamURL), upstreamAPI: value(.upstreamAPI),
            metadata: value(.metadata), logLevel: value(.logLevel), caFile: value(.caFile), origin: .environment)
    }

    /// `config` with these values in place, or every value that was refused (named by flag or variable).
    ///
    /// Cross-field rules are not checked here: a later layer may still change a field they depend on.
    public func apply(to config: ProxyConfig) -> Result<ProxyConfig, ConfigErrors> {
        var config = config
        var problems: [ConfigProblem] = []
        func set<T>(_ setting: Setting, _ text: String?, _ parse: (String) throws(ConfigValueError) -> T) -> T? {
            guard let text else { return nil }
            do {
                return try parse(text)
            } catch {
                problems.append(ConfigProblem(path: name(of: setting), message: error.message))
                return nil
            }
        }
        if let listen = set(.listen, listen, ListenAddress.init(parsing:)) { config.listen = listen }
        if let url = set(.upstreamURL, upstreamURL, UpstreamConfig.normalizedURL) { config.upstream.url = url }
        if let api = set(.upstreamAPI, upstreamAPI, Self.parser(UpstreamAPI.self)) { config.upstream.api = api }
        if let metadata = set(.metadata, metadata, Self.parser(MetadataMode.self)) { config.stream.metadata = metadata }
        if let level = set(.logLevel, logLevel, Self.logLevel) { config.logLevel = level }
        if let file = set(.caFile, caFile, ProxyConfig.certificateBundle) { config.upstream.caFile = file }
        return problems.isEmpty ? .success(config) : .failure(ConfigErrors(problems: problems))
    }

    /// Applies the environment, then the command line, then checks the cross-field rules; reports the refused
    /// values of both layers together.
    public static func layered(
        _ file: ProxyConfig, environment: ConfigOverrides, commandLine: ConfigOverrides
    ) -> Result<ProxyConfig, ConfigErrors> {
        var problems: [ConfigProblem] = []
        var config = file
        for layer in [environment, commandLine] {
            switch layer.apply(to: config) {
            case .success(let applied): config = applied
            case .failure(let errors): problems += errors.problems
            }
        }
        if problems.isEmpty { problems = config.validate() }
        return problems.isEmpty ? .success(config) : .failure(ConfigErrors(problems: problems))
    }

    /// The flag or variable a setting is reported under, e.g. `--listen` or `PPLX_PROXY_LISTEN`.
    public func name(of setting: Setting) -> String {
        switch origin {
        case .commandLine: setting.flag
        case .environment: setting.environmentName
        }
    }

    /// The settings that can be overridden.
    public enum Setting: Sendable, CaseIterable {
        case listen, upstreamURL, upstreamAPI, metadata, logLevel, caFile

        /// The command-line flag.
        public var flag: String {
            switch self {
            case .listen: "--listen"
            case .upstreamURL: "--upstream"
            case .upstreamAPI: "--upstream-api"
            case .metadata: "--metadata"
            case .logLevel: "--log-level"
            case .caFile: "--ca-file"
            }
        }

        /// The environment variable.
        public var environmentName: String {
            switch self {
            case .listen: "PPLX_PROXY_LISTEN"
            case .upstreamURL: "PPLX_PROXY_UPSTREAM"
            case .upstreamAPI: "PPLX_PROXY_UPSTREAM_API"
            case .metadata: "PPLX_PROXY_METADATA"
            case .logLevel: "PPLX_PROXY_LOG_LEVEL"
            case .caFile: "PPLX_PROXY_CA_FILE"
            }
        }
    }

    private static func parser<E: RawRepresentable & CaseIterable>(
        _: E.Type
    ) -> (String) throws(ConfigValueError) -> E where E.RawValue == String {
        { (text) throws(ConfigValueError) -> E in
            guard let value = E(rawValue: text) else {
                throw ConfigValueError.notOneOf(E.allCases.map(\.rawValue), got: text)
            }
            return value
        }
    }

    private static func logLevel(_ text: String) throws(ConfigValueError) -> String {
        guard ProxyConfig.logLevels.contains(text) else {
            throw ConfigValueError.notOneOf(ProxyConfig.logLevels, got: text)
        }
        return text
    }
}
