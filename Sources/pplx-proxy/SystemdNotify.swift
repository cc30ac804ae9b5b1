#if canImport(Glibc)
    import Glibc
#endif

/// Tells systemd what the process is doing when it runs as a `Type=notify` service (`NOTIFY_SOCKET` is set):
/// ready once it listens, reloading around a config reload, stopping when it drains. Without `NOTIFY_SOCKET` (any
/// other supervisor, a shell) every call does nothing.
enum SystemdNotify {
    /// `READY=1`: the listener accepts connections.
    static func ready() {
        send("READY=1\nMAINPID=\(getpid())")
    }

    /// `RELOADING=1`, as `Type=notify-reload` expects, with the monotonic time systemd requires alongside it.
    static func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(Int(now.tv_sec) * 1_000_000 + Int(now.tv_nsec) / 1_000)")
    }

    /// `STOPPING=1`: draining has begun.
    static func stopping() {
        send("STOPPING=1")
    }

    /// One datagram to `NOTIFY_SOCKET` (a path, or an abstract name written with a leading `@`).
    private static func send(_ message: String) {
        guard let socketPath = getenv("NOTIFY_SOCKET").map({ String(cString: $0) }), !socketPath.isEmpty else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count)
        let bytes = Array(message.utf8)
        _ = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
    }
}
