import COpenSSL

/// The listener's TLS configuration: an OpenSSL server context loaded from PEM files (TLS 1.2 or newer).
///
/// Shared by every connection for the life of the process (OpenSSL contexts are thread-safe once configured).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    /// Loads the certificate chain and private key; throws with OpenSSL's reason when they do not load or match.
    public init(certificatePath: String, privateKeyPath: String) throws(TLSError) {
        guard let context = SSL_CTX_new(TLS_server_method()) else { throw TLSError.openSSL("SSL_CTX_new") }
        self.context = context
        pplx_ssl_ctx_set_min_proto_tls12(context)
        // Partial writes and a moving write buffer let the connection keep its own output buffer.
        pplx_ssl_ctx_set_mode(
            context, PPLX_SSL_MODE_ENABLE_PARTIAL_WRITE | PPLX_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | PPLX_SSL_MODE_RELEASE_BUFFERS)
        guard SSL_CTX_use_certificate_chain_file(context, certificatePath) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("certificate \(certificatePath)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("private key \(privateKeyPath)")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            SSL_CTX_free(context)
            throw TLSError.openSSL("the private key does not match the certificate")
        }
    }
}

/// A TLS setup or handshake failure, with OpenSSL's reason.
public struct TLSError: Error, Sendable, CustomStringConvertible {
    public var description: String

    static func openSSL(_ what: String) -> TLSError {
        let code = ERR_get_error()
        var text = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &text, text.count)
        ERR_clear_error()
        let reason = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return TLSError(description: code == 0 ? what : "\(what): \(reason)")
    }
}
