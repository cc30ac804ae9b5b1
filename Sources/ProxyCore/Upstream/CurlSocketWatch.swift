import CCurl
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The read and write Dispatch sources for one libcurl socket, switched on and off as curl asks.
///
/// A descriptor may be closed only after Dispatch has stopped watching it, or a reused number could be left
/// registered. Sockets the multi handle opened itself (`CURLOPT_OPENSOCKETFUNCTION`) are closed through
/// `CLOSESOCKETFUNCTION`, so their watch sees them directly and closes them once both sources are cancelled. Other
/// sockets curl announces (its resolver's socketpair) are closed by curl with plain `close()` at any time, so their
/// watch observes a private `dup` instead, closed once both sources are cancelled. Confined to the owning loop.
final class CurlSocketWatch {
    private let read: DispatchSourceRead
    private let write: DispatchSourceWrite
    private var readOn = false
    private var writeOn = false
    /// Whether the sources watch a private duplicate (always closed after cancellation).
    let watchesDuplicate: Bool
    private var closeAfterCancel: Bool

    /// Nil when a duplicate is needed but none can be made (out of descriptors).
    init?(fd: curl_socket_t, ownedByMulti: Bool, queue: DispatchQueue, action: @escaping (curl_socket_t, Int32) -> Void) {
        let watched = ownedByMulti ? fd : fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard watched >= 0 else { return nil }
        watchesDuplicate = !ownedByMulti
        closeAfterCancel = !ownedByMulti
        read = DispatchSource.makeReadSource(fileDescriptor: watched, queue: queue)
        write = DispatchSource.makeWriteSource(fileDescriptor: watched, queue: queue)
        read.setEventHandler { action(fd, PPLX_CURL_CSELECT_IN) }
        write.setEventHandler { action(fd, PPLX_CURL_CSELECT_OUT) }
        let group = DispatchGroup()
        group.enter()
        group.enter()
        read.setCancelHandler { group.leave() }
        write.setCancelHandler { group.leave() }
        group.notify(queue: queue) { [self] in
            if closeAfterCancel { Glibc.close(watched) }
        }
    }

    /// Turns each direction on or off.
    func set(read wantRead: Bool, write wantWrite: Bool) {
        if wantRead != readOn {
            readOn = wantRead
            if wantRead { read.resume() } else { read.suspend() }
        }
        if wantWrite != writeOn {
            writeOn = wantWrite
            if wantWrite { write.resume() } else { write.suspend() }
        }
    }

    /// Cancels both sources. The watched descriptor is closed once both are gone if it is a duplicate, or if
    /// `closingSocket` (curl asked to close a socket the multi handle owns).
    func cancel(closingSocket: Bool) {
        if closingSocket { closeAfterCancel = true }
        read.setEventHandler {}
        write.setEventHandler {}
        if !readOn { read.resume() }
        if !writeOn { write.resume() }
        readOn = true
        writeOn = true
        read.cancel()
        write.cancel()
    }
}
