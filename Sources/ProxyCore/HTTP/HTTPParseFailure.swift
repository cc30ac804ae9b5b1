/// Why a request could not be parsed, with the status to answer before closing the connection.
public struct HTTPParseFailure: Error, Sendable, Equatable {
    /// 400, 413, 431, 501 or 505.
    public var status: Int
    /// What was wrong, for the error body.
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    static func bad(_ message: String) -> HTTPParseFailure { HTTPParseFailure(status: 400, message: message) }
}
