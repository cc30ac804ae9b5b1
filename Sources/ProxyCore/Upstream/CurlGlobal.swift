import CCurl

/// Process-wide libcurl setup, done once from `main` before any loop starts.
public enum CurlGlobal {
    /// Calls `curl_global_init` (not thread-safe: call before starting threads).
    public static func initialize() {
        curl_global_init(PPLX_CURL_GLOBAL_DEFAULT)
    }

    /// libcurl's version string, e.g. "libcurl/7.88.1 OpenSSL/3.0.x".
    public static var version: String { String(cString: curl_version()) }

    /// libcurl's version number, e.g. "7.88.1".
    public static var versionNumberText: String {
        let number = versionNumber
        return "\(number >> 16).\((number >> 8) & 0xFF).\(number & 0xFF)"
    }

    /// Whether requests after the first can reuse an HTTP/2 prior-knowledge connection (broken before 8.0,
    /// curl bug #10634).
    public static var reusesCleartextHTTP2: Bool { versionNumber >= 0x08_00_00 }

    private static var versionNumber: UInt32 { UInt32(pplx_curl_version_number()) }
}
