/// Finds the upstream API key and keeps it out of text that leaves the process.
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

    /// `text` with every `Bearer <key>` and every bare occurrence of `key` replaced by `[redacted]`.
    ///
    /// Works on bytes, not characters, so a key that happens to be followed by a combining mark is still found.
    public static func scrub(_ text: String, key: String?) -> String {
        guard let key, !key.isEmpty else { return text }
        var bytes = Array(text.utf8)
        let redacted = Array("[redacted]".utf8)
        for needle in [Array("Bearer \(key)".utf8), Array(key.utf8)] {
            bytes = replacing(needle, with: redacted, in: bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func replacing(_ needle: [UInt8], with replacement: [UInt8], in haystack: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(haystack.count)
        var index = 0
        while index < haystack.count {
            if haystack.count - index >= needle.count && haystack[index..<index + needle.count].elementsEqual(needle) {
                out.append(contentsOf: replacement)
                index += needle.count
            } else {
                out.append(haystack[index])
                index += 1
            }
        }
        return out
    }
}
