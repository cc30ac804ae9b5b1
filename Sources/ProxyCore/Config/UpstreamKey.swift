/// Finds the upstream API key (`SecretScrubber` keeps it out of what the upstream sends back).
public enum UpstreamKey {
    /// The key from `PERPLEXITY_API_KEY`, else `PPLX_API_KEY`, else the trimmed content of
    /// `upstream.api_key_file`; nil when none is set (an upstream that needs no key, such as the emulator).
    ///
    /// Variables are trimmed and an empty one counts as unset. A key file that cannot be read or holds only
    /// whitespace is an error at `upstream.api_key_file`, naming the path but never the content.
    public static func resolve(environment: [String: String], config: ProxyConfig) -> Result<String?, ConfigErrors> {
        for variable in ["PERPLEXITY_API_KEY", "PPLX_API_KEY"] {
            if let key = environment[variable]?.trimmingWhitespace(), !key.isEmpty { return .success(key) }
        }
        guard let file = config.upstream.apiKeyFile else { return .success(nil) }
        let problem: String
        switch FileAccess.readAll(file) {
        case .success(let bytes):
            let key = String(decoding: bytes, as: UTF8.self).trimmingWhitespace()
            if !key.isEmpty { return .success(key) }
            problem = "\(file) is empty"
        case .failure(let error):
            problem = error.message
        }
        return .failure(ConfigErrors(problems: [ConfigProblem(path: "upstream.api_key_file", message: problem)]))
    }
}
