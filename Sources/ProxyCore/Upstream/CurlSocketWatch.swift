import CCurl
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// The read and write Dispatch sources for one libcurl socket, switched on and off as curl asks.
///
/// Both sources exist for the socket's whole life and are suspended while curl does not want that direction; they
/// are cancelled when curl closes the socket, and the descriptor is closed only after both cancel handlers ran.
/// Confined to the owning loop's queue.
final class CurlSocketWatch {
    private let read: DispatchSourceRead
    private let write: DispatchSourceWrite
    private var readOn = false
    private var writeOn = false

    init(fd: curl_socket_t, queue: DispatchQueue, action: @escaping (curl_socket_t, Int32) -> Void) {
        read = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        write = DispatchSource.makeWriteSource(fileDescriptor: fd, queue: queue)
        read.setEventHandler { action(fd, PPLX_CURL_CSELECT_IN) }
        write.setEventHandler { action(fd, PPLX_CURL_CSELECT_OUT) }
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

    /// Cancels both sources and closes the descriptor once both are gone.
    func cancelAndClose() {
        let fd = read.handle
        let group = DispatchGroup()
        group.enter()
        group.enter()
        read.setEventHandler {}
        write.setEventHandler {}
        read.setCancelHandler { group.leave() }
        write.setCancelHandler { group.leave() }
        if !readOn { read.resume() }
        if !writeOn { write.resume() }
        read.cancel()
        write.cancel()
        group.notify(queue: .global()) { Glibc.close(Int32(fd)) }
    }
}
