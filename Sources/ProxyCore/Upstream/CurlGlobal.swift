import CCurl

/// Process-wide libcurl setup, done once from `main` before any loop starts.
public enum CurlGlobal {
    /// Calls `curl_global_init` (not thread-safe: call before starting threads).
    public static func initialize() {
        curl_global_init(PPLX_CURL_GLOBAL_DEFAULT)
    }

    /// libcurl's version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.x".
    public static var version: String { String(cString: curl_version()) }
}
