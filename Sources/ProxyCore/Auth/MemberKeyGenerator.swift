import COpenSSL

/// New member keys for `pplx-proxy keys add` and `rotate`: `sk-pplx-` and 256 bits from OpenSSL's CSPRNG, in hex.
public enum MemberKeyGenerator {
    public static let prefix = "sk-pplx-"
    static let randomBytes = 32

    /// A fresh key; nil only if the CSPRNG cannot be seeded (then no key must be issued).
    public static func generate() -> String? {
        var bytes = [UInt8](repeating: 0, count: randomBytes)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var text = Array(prefix.utf8)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
