import CHiredis

/// One Redis reply, copied out of hiredis's `redisReply` (which hiredis frees when the callback returns).
public enum RedisReply: Sendable, Equatable {
    case string(String)
    case status(String)
    case integer(Int)
    case array([RedisReply])
    case null
    /// An error reply from Redis (`NOSCRIPT ...`, `ERR ...`).
    case error(String)
    /// No reply: the connection failed or was down, or Redis did not answer within `redis.timeout_ms`.
    case failure(String)

    init(_ reply: UnsafePointer<redisReply>) {
        let value = reply.pointee
        func text() -> String {
            guard let str = value.str else { return "" }
            return String(decoding: UnsafeRawBufferPointer(start: str, count: Int(value.len)), as: UTF8.self)
        }
        switch value.type {
        case REDIS_REPLY_STRING: self = .string(text())
        case REDIS_REPLY_STATUS: self = .status(text())
        case REDIS_REPLY_ERROR: self = .error(text())
        case REDIS_REPLY_INTEGER: self = .integer(Int(value.integer))
        case REDIS_REPLY_ARRAY:
            self = .array(
                (0..<Int(value.elements)).map { index in
                    value.element[index].map { RedisReply(UnsafePointer($0)) } ?? .null
                })
        default: self = .null
        }
    }

    /// Whether no answer came (as opposed to an answer that is an error).
    public var isFailure: Bool {
        if case .failure = self { return true }
        return false
    }
}
