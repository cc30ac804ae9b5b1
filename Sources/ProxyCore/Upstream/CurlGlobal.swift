import CCurl
import Glibc

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

    /// libcurl's built-in CA bundle (Debian: /etc/ssl/certs/ca-certificates.crt) when it is readable, else nil.
    static let systemCABundle: String? = {
        guard let raw = pplx_default_ca_file() else { return nil }
        defer { free(raw) }
        let path = String(cString: raw)
        return access(path, R_OK) == 0 ? path : nil
    }()

    private static var versionNumber: UInt32 { UInt32(pplx_curl_version_number()) }
}
