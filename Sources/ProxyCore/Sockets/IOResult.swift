/// The outcome of one non-blocking read or write: would-block is a value, not an error.
public enum IOResult: Equatable, Sendable {
    /// This many bytes were moved.
    case processed(Int)
    /// The socket has no data (read) or no room (write) right now.
    case wouldBlock
    /// The peer closed its side (read only).
    case endOfFile
}

/// A system call failed for a reason other than would-block (ECONNRESET, EPIPE, …).
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed.
    public var call: String
    /// `errno` after the failure.
    public var code: Int32

    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    public var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}

#if canImport(Glibc)
    import Glibc
#endif
