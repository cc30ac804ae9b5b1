import COpenSSL

/// The stored form of a member key, `sha256:` + lowercase hex SHA-256, and its constant-time check.
///
/// Only hashes live in the config file, so a leaked config does not leak keys. Member keys are random tokens,
/// not passwords, so an unsalted fast hash is enough.
public enum KeyHash {
    private static let prefix = "sha256:"
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `sha256:` followed by the 64 lowercase hex digits of SHA-256 over the key's UTF-8 bytes.
    public static func hash(_ key: String) -> String {
        var hex: [UInt8] = Array(prefix.utf8)
        for byte in digest(key) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    /// Whether `key` hashes to `storedHash`, comparing in time that does not depend on where they differ.
    public static func matches(_ key: String, storedHash: String) -> Bool {
        constantTimeEqual(Array(hash(key).utf8), Array(storedHash.utf8))
    }

    /// The key `pplx-proxy hash-key` hashes from what it read on stdin: surrounding whitespace and the trailing
    /// newline removed, since `echo KEY |` and a file saved by an editor both add one and an HTTP client never
    /// sends it in `Authorization`.
    public static func key(fromInput input: String) -> String {
        input.trimmingWhitespace()
    }

    /// Whether `text` has the stored form: `sha256:` and exactly 64 lowercase hex digits.
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let digits = text.utf8.dropFirst(prefix.utf8.count)
        return digits.count == 64 && digits.allSatisfy { hexDigits.contains($0) }
    }

    /// Byte equality via `CRYPTO_memcmp`; only the lengths, which are public, may end it early.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                CRYPTO_memcmp(left.baseAddress, right.baseAddress, left.count) == 0
            }
        }
    }

    private static func digest(_ key: String) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        var length: UInt32 = 0
        let bytes = Array(key.utf8)
        let status = bytes.withUnsafeBytes { input in
            EVP_Digest(input.baseAddress, input.count, &out, &length, EVP_sha256(), nil)
        }
        precondition(status == 1 && length == out.count, "EVP_Digest(SHA-256) failed")
        return out
    }
}
