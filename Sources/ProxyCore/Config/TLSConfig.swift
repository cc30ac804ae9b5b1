/// PEM files that make the listener speak HTTPS.
public struct TLSConfig: Sendable, Equatable {
    /// Certificate chain (PEM), leaf first.
    public var cert: String
    /// Private key (PEM) of the leaf certificate.
    public var key: String

    public init(cert: String, key: String) {
        self.cert = cert
        self.key = key
    }
}
