import CCurl
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The read and write Dispatch sources for one libcurl socket, switched on and off as curl asks.
///
/// The sources watch a `dup` of curl's descriptor that this watch owns: curl may close its own descriptor at any
/// time (its resolver socketpair is closed with plain `close()`, not through `CLOSESOCKETFUNCTION`), and the
/// number may then be reused at once, while Dispatch unregisters cancelled sources only later. Watching a private
/// duplicate means Dispatch never watches a number that now belongs to someone else; the duplicate is closed once
/// both sources' cancel handlers ran. Confined to the owning loop's queue.
final class CurlSocketWatch {
    private let read: DispatchSourceRead
    private let write: DispatchSourceWrite
    private var readOn = false
    private var writeOn = false

    /// Nil when the descriptor cannot be duplicated (out of descriptors); curl then times the transfer out.
    init?(fd: curl_socket_t, queue: DispatchQueue, action: @escaping (curl_socket_t, Int32) -> Void) {
        let watched = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        guard watched >= 0 else { return nil }
        read = DispatchSource.makeReadSource(fileDescriptor: watched, queue: queue)
        write = DispatchSource.makeWriteSource(fileDescriptor: watched, queue: queue)
        read.setEventHandler { action(fd, PPLX_CURL_CSELECT_IN) }
        write.setEventHandler { action(fd, PPLX_CURL_CSELECT_OUT) }
        let group = DispatchGroup()
        group.enter()
        group.enter()
        read.setCancelHandler { group.leave() }
        write.setCancelHandler { group.leave() }
        group.notify(queue: queue) { Glibc.close(watched) }
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

    /// Cancels both sources; the duplicate descriptor is closed once both are gone. Curl's own descriptor is not
    /// touched.
    func cancel() {
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
