#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the socket system calls that turn errno into `IOResult` values and `SocketError`s.
public enum SocketIO {
    /// Reads into `buffer`: `.processed(n)`, `.wouldBlock`, `.endOfFile`, or throws.
    @inline(__always)
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> IOResult {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n > 0 { return .processed(n) }
            if n == 0 { return .endOfFile }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: throw SocketError(call: "read", code: code)
            }
        }
    }

    /// Writes from `buffer`: `.processed(n)` (possibly partial), `.wouldBlock`, or throws (EPIPE, ECONNRESET).
    @inline(__always)
    public static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws(SocketError) -> IOResult {
        while true {
            let n = Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
            if n >= 0 { return .processed(n) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wouldBlock
            case let code: throw SocketError(call: "send", code: code)
            }
        }
    }

    /// Puts the descriptor in non-blocking mode.
    public static func setNonBlocking(_ fd: Int32) throws(SocketError) {
        let flags = fcntl(fd, F_GETFL, 0)
        if flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 {
            throw SocketError(call: "fcntl", code: errno)
        }
    }

    /// Sets an integer socket option.
    public static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(SocketError) {
        var v = value
        if setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            throw SocketError(call: "setsockopt", code: errno)
        }
    }

    /// Disables Nagle's algorithm so each relayed event leaves at once.
    public static func setNoDelay(_ fd: Int32) {
        try? setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
    }
}
