import COpenSSL

/// A Lua script run atomically by Redis: called by its SHA-1 (`EVALSHA`), sent whole (`EVAL`) only when Redis does
/// not have it cached yet (a restarted Redis, the first call).
struct RedisScript: Sendable {
    let source: String
    let sha1: String

    init(_ source: String) {
        self.source = source
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let bytes = Array(source.utf8)
        bytes.withUnsafeBytes { input in
            _ = EVP_Digest(input.baseAddress, input.count, &digest, &length, EVP_sha1(), nil)
        }
        let hex = Array("0123456789abcdef".utf8)
        sha1 = String(decoding: digest.prefix(Int(length)).flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0f)]] }, as: UTF8.self)
    }

    /// Runs the script with `keys` and `args` on `connection`.
    func run(on connection: RedisConnection, keys: [String], args: [String], _ completion: @escaping (RedisReply) -> Void) {
        let tail = [String(keys.count)] + keys + args
        connection.send(["EVALSHA", sha1] + tail) { reply in
            if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
                connection.send(["EVAL", source] + tail, completion)
            } else {
                completion(reply)
            }
        }
    }
}
