import COpenSSL

/// One connection's TLS state over a non-blocking socket.
///
/// Would-block is a value: OpenSSL's WANT_READ/WANT_WRITE become `.wouldBlock`, and `wantsWritable` says the
/// connection must wait for the socket to become writable (a handshake or read that needs to send) before retrying.
/// Confined to the connection's loop; `free()` is called once from the connection's `close()`.
final class TLSSession {
    private let ssl: OpaquePointer
    private(set) var handshakeDone = false
    /// Set when the last call stopped because OpenSSL needs to write to the socket.
    private(set) var wantsWritable = false

    /// OpenSSL's socket BIO with writes that never raise SIGPIPE (made once, never freed; OpenSSL only reads it).
    nonisolated(unsafe) private static let socketMethod = pplx_new_nosignal_socket_method()

    init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard pplx_ssl_set_socket(ssl, Int32(fd), Self.socketMethod) == 1 else {
            SSL_free(ssl)
            return nil
        }
        SSL_set_accept_state(ssl)
        self.ssl = ssl
    }

    /// Advances the handshake: true when done, false when it must wait for the socket; throws when it failed.
    func handshake() throws(SocketError) -> Bool {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            handshakeDone = true
            wantsWritable = false
            return true
        }
        try classify(result, call: "SSL_do_handshake")
        return false
    }

    /// Reads decrypted bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        let n = SSL_read(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 {
            wantsWritable = false
            return .processed(Int(n))
        }
        if SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN { return .endOfFile }
        try classify(n, call: "SSL_read")
        return .wouldBlock
    }

    /// Encrypts and writes bytes (partial writes allowed).
    func write(_ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        guard buffer.count > 0 else { return .processed(0) }
        let n = SSL_write(ssl, buffer.baseAddress, Int32(min(buffer.count, Int(Int32.max))))
        if n > 0 {
            wantsWritable = false
            return .processed(Int(n))
        }
        try classify(n, call: "SSL_write")
        return .wouldBlock
    }

    /// Sends close_notify (best effort, never blocks) and frees the session. The socket is closed by the caller.
    func free() {
        if handshakeDone { SSL_shutdown(ssl) }
        SSL_free(ssl)
    }

    private func classify(_ result: Int32, call: String) throws(SocketError) {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ:
            wantsWritable = false
        case SSL_ERROR_WANT_WRITE:
            wantsWritable = true
        default:
            ERR_clear_error()
            throw SocketError(call: call, code: ECONNRESET)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#endif
