import CPosixShims
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Receives readiness events for sockets registered with a `SocketReactor`.
/// Implementations are loop-confined classes: the reactor calls them on its loop only.
protocol SocketEventHandler: AnyObject {
    /// The socket is readable, at end of file, or in error.
    func socketReadable(_ fd: Int32, error: Bool)
    /// The socket is writable.
    func socketWritable(_ fd: Int32)
}

/// One epoll set per event loop, driven by a single Dispatch read source on the epoll descriptor.
///
/// Why not one Dispatch source per socket: libdispatch on Linux arms each source with `EPOLLONESHOT` and, for every
/// event, wakes its manager thread, hands the handler to a worker, then wakes the manager again to re-arm. The
/// profile of a relayed chunk was ~70% kernel scheduler time. Here the loop's queue receives one Dispatch event when
/// the set becomes ready, and its owner (`EventLoop`) then polls the set itself (`poll`) for as long as it stays busy.
/// Level-triggered, so nothing is re-armed per socket. Deregistration is synchronous: `remove` (`EPOLL_CTL_DEL`)
/// before a descriptor is handed back, or `forget` right before closing one (closing takes it out of the set), so a
/// reused number never finds a stale registration.
///
/// Confined to its loop's queue. Registered handlers are held strongly until `remove` or `forget`.
final class SocketReactor {
    private struct Registration {
        var handler: SocketEventHandler
        var generation: UInt32
        var read: Bool
        var write: Bool
        /// Events are not wanted, but the kernel still watches with `read`/`write` (see `park`).
        var parked = false
    }

    private let epfd: Int32
    private unowned var loop: EventLoop?
    private var source: DispatchSourceRead?
    /// Indexed by descriptor number (small integers, reused lowest-first by the kernel).
    private var registrations: [Registration?] = []
    private var nextGeneration: UInt32 = 1
    private var isShutDown = false
    private let events: UnsafeMutablePointer<pplx_epoll_ready>
    private static let batch = 256

    init() {
        epfd = pplx_epoll_create()
        precondition(epfd >= 0, "epoll_create1 failed: \(errno)")
        events = .allocate(capacity: Self.batch)
    }

    /// Starts the Dispatch source: `onReady` runs on the loop's queue whenever the set has ready sockets and nobody
    /// is polling it. Called once, by the loop's initialiser.
    func attach(to loop: EventLoop, onReady: @escaping () -> Void) {
        self.loop = loop
        let source = DispatchSource.makeReadSource(fileDescriptor: epfd, queue: loop.queue)
        source.setEventHandler(handler: onReady)
        source.resume()
        self.source = source
    }

    /// Starts watching `fd` (or changes what is watched and who handles it).
    func watch(_ fd: Int32, handler: SocketEventHandler, read: Bool, write: Bool) {
        guard !isShutDown else { return }
        if let existing = registration(fd) {
            if existing.handler === handler {
                update(fd, read: read, write: write)
                return
            }
            // A different owner for the same number: the old registration is stale (its descriptor was closed
            // without `remove`). Start afresh with a new generation.
            remove(fd)
        }
        let generation = nextGeneration
        nextGeneration &+= 1
        let data = Self.data(fd: fd, generation: generation)
        guard pplx_epoll_ctl(epfd, PPLX_EPOLL_CTL_ADD, fd, Self.mask(read: read, write: write), data) == 0 else {
            // Not watchable (closed underneath us): report it as an error, in a fresh turn of the loop so the owner
            // (possibly inside a libcurl callback) is not re-entered.
            loop?.runSoon { handler.socketReadable(fd, error: true) }
            return
        }
        setRegistration(Registration(handler: handler, generation: generation, read: read, write: write), for: fd)
    }

    /// Changes the directions watched for `fd` (a system call only when they change).
    func update(_ fd: Int32, read: Bool, write: Bool) {
        guard var registration = registration(fd) else { return }
        let changed = registration.read != read || registration.write != write
        guard changed || registration.parked else { return }
        registration.parked = false
        registration.read = read
        registration.write = write
        guard changed else {
            // Unparked with the directions the kernel still watches: nothing to tell it.
            setRegistration(registration, for: fd)
            return
        }
        let mask = Self.mask(read: read, write: write)
        let data = Self.data(fd: fd, generation: registration.generation)
        if pplx_epoll_ctl(epfd, PPLX_EPOLL_CTL_MOD, fd, mask, data) != 0 {
            // The kernel forgot it (descriptor closed and reused without `remove`): register it again.
            pplx_epoll_ctl(epfd, PPLX_EPOLL_CTL_ADD, fd, mask, data)
        }
        setRegistration(registration, for: fd)
    }

    /// Stops reporting events for `fd` without a system call: the kernel keeps watching it, and the first event that
    /// arrives while it is parked removes it for real. Watching it again in the same directions then costs nothing.
    /// For libcurl's pooled connections, which are quiet between transfers: each transfer on one used to cost an
    /// `EPOLL_CTL_DEL` and an `EPOLL_CTL_ADD`.
    func park(_ fd: Int32) {
        guard var registration = registration(fd) else { return }
        registration.parked = true
        setRegistration(registration, for: fd)
    }

    /// Drops `fd` without a system call, for a caller about to close it: closing a descriptor that was never
    /// duplicated takes it out of the epoll set.
    func forget(_ fd: Int32) {
        setRegistration(nil, for: fd)
    }

    /// Stops watching `fd` now; the caller may close it immediately after.
    func remove(_ fd: Int32) {
        guard registration(fd) != nil else { return }
        setRegistration(nil, for: fd)
        pplx_epoll_ctl(epfd, PPLX_EPOLL_CTL_DEL, fd, 0, 0)
    }

    /// Cancels the Dispatch source and closes the epoll set. Registered sockets are forgotten, not closed.
    func shutdown() {
        guard !isShutDown else { return }
        isShutDown = true
        registrations.removeAll()
        let epfd = self.epfd
        source?.setCancelHandler { Glibc.close(epfd) }
        source?.cancel()
        source = nil
        events.deallocate()
    }

    private func registration(_ fd: Int32) -> Registration? {
        let index = Int(fd)
        return index >= 0 && index < registrations.count ? registrations[index] : nil
    }

    private func setRegistration(_ registration: Registration?, for fd: Int32) {
        let index = Int(fd)
        guard index >= 0 else { return }
        if index >= registrations.count {
            guard registration != nil else { return }
            registrations.append(contentsOf: repeatElement(nil, count: max(index + 1, 2 * registrations.count) - registrations.count))
        }
        registrations[index] = registration
    }

    /// The event's user data: the descriptor and its registration's generation, so an event for a descriptor that
    /// was removed (and perhaps reused) within the same batch is recognised as stale.
    private static func data(fd: Int32, generation: UInt32) -> UInt64 {
        UInt64(generation) << 32 | UInt64(UInt32(bitPattern: fd))
    }

    private static func mask(read: Bool, write: Bool) -> UInt32 {
        var mask: UInt32 = 0
        if read { mask |= PPLX_EPOLLIN }
        if write { mask |= PPLX_EPOLLOUT }
        return mask
    }

    /// Waits up to `timeoutMs` (0: does not wait) for ready sockets and handles one batch of them; returns how many
    /// events there were. A handler may remove or close other sockets, and a closed number may even be reused within
    /// the batch: each event is matched to its registration's generation, so a stale one is dropped.
    @discardableResult
    func poll(timeoutMs: Int32) -> Int {
        guard !isShutDown else { return 0 }
        let n = pplx_epoll_wait(epfd, events, Int32(Self.batch), timeoutMs)
        guard n > 0 else { return 0 }
        for i in 0..<Int(n) {
            let event = events[i]
            let fd = Int32(bitPattern: UInt32(truncatingIfNeeded: event.data))
            let generation = UInt32(truncatingIfNeeded: event.data >> 32)
            let flags = event.events
            let failed = flags & (PPLX_EPOLLERR | PPLX_EPOLLHUP) != 0
            guard let registration = registration(fd), registration.generation == generation else { continue }
            if registration.parked {
                remove(fd)
                continue
            }
            if flags & PPLX_EPOLLIN != 0 || failed {
                registration.handler.socketReadable(fd, error: failed)
            }
            if flags & PPLX_EPOLLOUT != 0 {
                // Looked up again: the read handler may have changed or removed the registration.
                guard let current = self.registration(fd), current.generation == generation, current.write, !current.parked
                else { continue }
                current.handler.socketWritable(fd)
            }
        }
        return Int(n)
    }
}
