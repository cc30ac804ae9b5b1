/// Size limits enforced while parsing requests.
public struct HTTPParserLimits: Sendable, Equatable {
    /// Largest request line + header block (431 beyond).
    public var maxHeaderBytes: Int
    /// Largest body (413 beyond).
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 32 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}
