/// Why a byte sequence is not a JSON document, and where: `offset` is the index of the offending byte
/// (the input's length when the input ends too early).
public struct JSONParseError: Error, Sendable, Equatable {
    /// Byte offset into the input at which parsing failed.
    public var offset: Int
    /// What was wrong, e.g. "expected ':' after object key".
    public var message: String

    public init(offset: Int, message: String) {
        self.offset = offset
        self.message = message
    }
}

extension JSONParseError: CustomStringConvertible {
    /// "`message` at byte `offset`", for logs and client-facing error messages.
    public var description: String { "\(message) at byte \(offset)" }
}
