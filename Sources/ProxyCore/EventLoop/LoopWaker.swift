import CPosixShims
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// An eventfd in a loop's epoll set: another thread pokes it to end the loop's wait for socket events, so work it
/// queued for the loop runs at once instead of after the wait.
///
/// `poke` may be called from any thread; the rest is confined to the loop.
final class LoopWaker: SocketEventHandler, @unchecked Sendable {
    private let fd: Int32
    /// Set once the descriptor is closed, so a late `poke` cannot write into a reused descriptor number.
    private let closed = Mutex(false)

    init(reactor: SocketReactor) {
        fd = pplx_eventfd_create()
        precondition(fd >= 0, "eventfd failed: \(errno)")
        reactor.watch(fd, handler: self, read: true, write: false)
    }

    /// Makes the loop's epoll set ready, which ends the loop's wait. Any thread.
    func poke() {
        closed.withLock { closed in
            guard !closed else { return }
            var one: UInt64 = 1
            _ = Glibc.write(fd, &one, MemoryLayout<UInt64>.size)
        }
    }

    func socketReadable(_ fd: Int32, error: Bool) {
        var count: UInt64 = 0
        _ = Glibc.read(fd, &count, MemoryLayout<UInt64>.size)
    }

    func socketWritable(_ fd: Int32) {}

    /// Deregisters and closes the eventfd.
    func close(reactor: SocketReactor) {
        closed.withLock { closed in
            guard !closed else { return }
            closed = true
            reactor.remove(fd)
            Glibc.close(fd)
        }
    }
}
