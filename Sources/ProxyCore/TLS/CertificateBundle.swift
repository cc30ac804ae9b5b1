import COpenSSL

/// A PEM file of CA certificates, for verifying the upstream (`upstream.ca_file`).
public enum CertificateBundle {
    /// Why `path` is not a usable CA bundle (no PEM certificate in it, or one OpenSSL cannot read), or nil when
    /// it holds at least one certificate and nothing broken.
    public static func problem(at path: String) -> String? {
        guard let file = fopen(path, "r") else { return "cannot read \(path)" }
        defer { fclose(file) }
        var count = 0
        while let certificate = PEM_read_X509(file, nil, nil, nil) {
            X509_free(certificate)
            count += 1
        }
        // The loop ends at end of file (PEM_R_NO_START_LINE) or at a certificate that does not parse.
        let error = ERR_peek_last_error()
        ERR_clear_error()
        if count == 0 { return "\(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)" }
        if error != 0, ERR_GET_REASON(error) != PEM_R_NO_START_LINE {
            return "\(path): certificate \(count + 1) cannot be read"
        }
        return nil
    }
}
