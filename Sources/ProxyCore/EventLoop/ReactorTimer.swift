import CPosixShims

#if canImport(Glibc)
    import Glibc
#endif

/// A one-shot timer on a loop's `SocketReactor` (a `timerfd` in its epoll set).
///
/// Why not a Dispatch timer: every `DispatchSourceTimer.schedule` (and every suspend/resume) wakes libdispatch's
/// manager thread through an eventfd to reprogram its own timer, two thread switches each time. libcurl moves its
/// deadline on every request, so that was ~15% of a non-streaming request's CPU. Re-arming a `timerfd` is one system
/// call, skipped when the deadline moves by less than the slack; disarming costs nothing (a late fire is ignored).
///
/// Confined to its loop's queue.
final class ReactorTimer: SocketEventHandler, @unchecked Sendable {
    private let fd: Int32
    private unowned let reactor: SocketReactor
    private let fire: () -> Void
    /// The deadline the kernel timer is set to, if it has not fired yet.
    private var kernelDeadline: UInt64?
    /// The deadline the owner asked for; nil when disarmed.
    private var wanted: UInt64?
    private var closed = false
    /// Deadlines this close to the armed one do not re-arm the kernel timer.
    private static let slack: UInt64 = 1_000_000

    /// Registers a new timer with `reactor`; `fire` runs on the loop when an armed deadline passes.
    init(reactor: SocketReactor, fire: @escaping () -> Void) {
        self.reactor = reactor
        self.fire = fire
        fd = pplx_timerfd_create()
        precondition(fd >= 0, "timerfd_create failed: \(errno)")
        reactor.watch(fd, handler: self, read: true, write: false)
    }

    /// Fires once, `milliseconds` from now (replacing any earlier deadline).
    func arm(milliseconds: Int) {
        let delay = MonotonicClock.nanoseconds(milliseconds: milliseconds)
        let deadline = MonotonicClock.nanoseconds() &+ delay
        wanted = deadline
        if let current = kernelDeadline, current <= deadline, deadline - current < Self.slack { return }
        kernelDeadline = deadline
        pplx_timerfd_set(fd, max(delay, 1))
    }

    /// Cancels the pending deadline. The kernel timer is left as it is: if it fires, nothing runs.
    func disarm() {
        wanted = nil
    }

    /// Deregisters and closes the timer.
    func close() {
        guard !closed else { return }
        closed = true
        wanted = nil
        reactor.remove(fd)
        Glibc.close(fd)
    }

    func socketReadable(_ fd: Int32, error: Bool) {
        var expirations: UInt64 = 0
        _ = Glibc.read(fd, &expirations, MemoryLayout<UInt64>.size)
        kernelDeadline = nil
        // Up to `slack` early counts as due: libcurl, the only user, re-arms if its deadline is still ahead.
        guard wanted != nil else { return }
        wanted = nil
        fire()
    }

    func socketWritable(_ fd: Int32) {}
}
