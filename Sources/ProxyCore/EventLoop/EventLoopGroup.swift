import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// A fixed set of event loops, one per core by default, handed out round-robin to new connections.
public final class EventLoopGroup: @unchecked Sendable {
    /// The loops. Immutable after init.
    public let loops: [EventLoop]
    private let nextIndex = AtomicCounter()

    /// Creates `count` loops (at least one); nil means one per online core.
    public init(count: Int? = nil) {
        let n = max(1, count ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        self.loops = (0..<n).map { EventLoop(index: $0) }
    }

    /// Shuts every loop down (timers cancelled, upstream sockets closed). Call once, off the loops, after every
    /// connection of the group was closed.
    public func shutdown() {
        for loop in loops {
            loop.sync { loop.shutdown() }
        }
    }

    /// The next loop in round-robin order.
    public func next() -> EventLoop {
        loops[nextIndex.increment() % loops.count]
    }
}
