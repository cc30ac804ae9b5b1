import CPosixShims

#if canImport(Glibc)
    import Glibc
#endif

/// A bound, listening, non-blocking TCP socket.
public struct ListeningSocket: Sendable {
    /// The descriptor.
    public let fd: Int32
    /// The address actually bound (with the real port when 0 was asked for).
    public let localAddress: SocketAddress

    /// Binds and listens on `address` with SO_REUSEADDR and a large backlog.
    public init(address: SocketAddress, backlog: Int32 = 4096) throws(SocketError) {
        let fd = socket(address.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketError(call: "socket", code: errno) }
        do throws(SocketError) {
            try SocketIO.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            let bound = address.withSockAddr { bind(fd, $0, $1) }
            guard bound == 0 else { throw SocketError(call: "bind", code: errno) }
            guard listen(fd, backlog) == 0 else { throw SocketError(call: "listen", code: errno) }
            try SocketIO.setNonBlocking(fd)
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let named = withUnsafeMutablePointer(to: &storage) { raw in
                raw.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0 else { throw SocketError(call: "getsockname", code: errno) }
            self.fd = fd
            self.localAddress = SocketAddress(storage: storage)
        } catch {
            close(fd)
            throw error
        }
    }

    /// Accepts one pending connection as a non-blocking descriptor, or nil when none is pending.
    public func accept() throws(SocketError) -> Int32? {
        while true {
            let client = pplx_accept_nonblocking(fd)
            if client >= 0 { return client }
            switch errno {
            case EINTR, ECONNABORTED: continue
            case EAGAIN, EWOULDBLOCK: return nil
            case let code: throw SocketError(call: "accept4", code: code)
            }
        }
    }
}
