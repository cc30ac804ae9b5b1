#if canImport(Glibc)
    import Glibc
#endif

/// The append-only usage ledger: one JSON line per finished request, written with one `write(2)` on an
/// `O_APPEND` descriptor before the request counts as done, so a crash loses at most the line being written.
public final class UsageLedger: @unchecked Sendable {
    private let fd: Int32
    /// The ledger's path.
    public let path: String

    /// Opens (creating if needed) the ledger for appending.
    public init(path: String) throws(SocketError) {
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw SocketError(call: "open \(path)", code: errno) }
        self.fd = fd
        self.path = path
        endTornLine()
    }

    /// A crash can leave a last line without its newline; the next record must not be glued onto it.
    private func endTornLine() {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var last: UInt8 = 0
        guard pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") else { return }
        var newline = UInt8(ascii: "\n")
        _ = write(fd, &newline, 1)
    }

    /// Appends one record. Callers serialise calls (the ledger lives behind a mutex in `ProxyState`).
    public func append(_ record: UsageRecord) {
        let line = record.jsonLine
        line.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }

    /// Closes the descriptor.
    public func close() {
        Glibc.close(fd)
    }
}
