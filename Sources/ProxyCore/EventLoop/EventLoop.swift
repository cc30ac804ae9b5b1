import Dispatch
import Synchronization

/// Something a loop visits on every sweep tick: connections check their deadlines and keep-alive pings there.
///
/// Deadlines are checked by one coarse periodic sweep per loop instead of one timer per connection, so an open
/// stream costs no timer of its own (10,000 streams must fit in a small memory budget).
public protocol LoopSweepable: AnyObject {
    /// Called on the loop's queue about every `EventLoop.sweepInterval`.
    func sweep(now: UInt64)
}

/// One serial Dispatch queue that owns a set of sockets (its `SocketReactor`), one libcurl multi handle and the
/// sweep timer.
///
/// Every object registered with a loop (connections, upstream transfers, listeners) is confined to its queue: it is
/// only touched from blocks running on `queue`, so none of them needs a lock. Such types are marked
/// `@unchecked Sendable` and say so in their doc comment.
///
/// **Busy periods.** The reactor's Dispatch source starts a busy period when a socket becomes ready. The loop then
/// handles the ready sockets and, while they keep coming, polls its epoll set itself, waiting up to `lingerMs` for the
/// next one, instead of returning to Dispatch after every batch. Each return costs libdispatch a re-arm on its
/// manager thread and each new event a manager-to-worker hand-off: three thread switches per batch, the largest
/// cost of a relayed chunk when 1,000 streams each deliver a chunk every 100 ms. A busy period ends after `lingerMs`
/// without events, after `busyPeriodBudgetNs`, or as soon as another thread queues work with `execute`, `sync` or
/// `execute(afterMilliseconds:)` (which wake the loop through an eventfd). Blocks put on `queue` directly wait for
/// the period to end, so nothing on the loop's paths does that.
public final class EventLoop: @unchecked Sendable {
    /// How often each registered object's deadlines are checked. Timeouts are therefore accurate to about this much.
    public static let sweepInterval: DispatchTimeInterval = .milliseconds(100)
    /// The sweep runs in this many slices per interval, one per tick, so no tick stalls the loop for long.
    private static let sweepTicksPerInterval = 10
    private static let sweepTickMs = 10
    /// How long a busy loop waits for the next socket event before it returns its thread to Dispatch. A parked
    /// thread costs no CPU, and a stream's next chunk (tens of ms apart) then wakes it directly.
    private static let lingerMs: Int32 = 20
    /// The longest busy period: then the loop returns to Dispatch, so a block put on `queue` directly still runs.
    private static let busyPeriodBudgetNs: UInt64 = 50_000_000

    /// The serial queue that runs everything confined to this loop.
    public let queue: DispatchQueue
    /// Position of this loop in its group (for logs).
    public let index: Int
    /// A scratch buffer for socket reads, shared by every connection of the loop (reads never overlap on a serial
    /// queue), so an idle connection holds no read buffer of its own.
    var readScratch: UnsafeMutableRawBufferPointer
    /// A reusable buffer for assembling one write (a chunk frame), so relaying a chunk allocates nothing.
    private var writeScratch: [UInt8] = []
    /// The loop's socket readiness multiplexer.
    let reactor: SocketReactor

    private let waker: LoopWaker
    /// Blocks queued by `execute` that have not run yet (any thread).
    private let queuedWork = Atomic<Int>(0)
    /// True while the loop waits in its epoll set (any thread reads it to decide whether to wake it).
    private let waiting = Atomic<Bool>(false)
    private var inBusyPeriod = false
    private var isShutDown = false
    /// Work for a fresh turn of the loop (`runSoon`), run between batches of socket events.
    private var deferred: [() -> Void] = []
    private var deferredFlushQueued = false
    private var sweepables = SweepRing()
    private var sweepTimer: ReactorTimer?
    private var sweepTimerArmed = false
    private var curlMultiStorage: CurlMulti?

    public init(index: Int) {
        self.index = index
        self.queue = DispatchQueue(label: "pplx.loop.\(index)")
        self.readScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        reactor = SocketReactor()
        waker = LoopWaker(reactor: reactor)
        reactor.attach(to: self) { [unowned self] in self.runBusyPeriod() }
        sweepTimer = ReactorTimer(reactor: reactor) { [unowned self] in self.sweepSlice() }
    }

    /// Runs `work` on the loop's queue (from any thread), waking the loop if it is waiting for socket events. The
    /// queued block holds the loop, so it may be queued until the moment the loop is released.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        queuedWork.add(1, ordering: .sequentiallyConsistent)
        queue.async { [self] in
            queuedWork.subtract(1, ordering: .sequentiallyConsistent)
            work()
        }
        if waiting.load(ordering: .sequentiallyConsistent) { waker.poke() }
    }

    /// Runs `body` on the loop's queue and waits for it (from any thread but the loop's own).
    public func sync<Result>(_ body: () throws -> Result) rethrows -> Result {
        queuedWork.add(1, ordering: .sequentiallyConsistent)
        if waiting.load(ordering: .sequentiallyConsistent) { waker.poke() }
        return try queue.sync {
            queuedWork.subtract(1, ordering: .sequentiallyConsistent)
            return try body()
        }
    }

    /// Runs `work` on the loop's queue after `milliseconds` (from any thread).
    public func execute(afterMilliseconds milliseconds: Int, _ work: @escaping @Sendable () -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            execute(work)
        }
    }

    /// Runs `work` in a fresh turn of the loop, after the current batch of events. Call on the loop.
    func runSoon(_ work: @escaping () -> Void) {
        deferred.append(work)
        // A busy period runs deferred work between its batches; otherwise a block on the queue does.
        guard !inBusyPeriod else { return }
        queueDeferredFlush()
    }

    /// An empty buffer to assemble one write in; give it back with `returnWriteScratch` once written. (Taken, not
    /// borrowed: a nested use while it is out just gets a fresh array.)
    func takeWriteScratch() -> [UInt8] {
        var buffer: [UInt8] = []
        swap(&buffer, &writeScratch)
        buffer.removeAll(keepingCapacity: true)
        return buffer
    }

    /// Keeps `buffer`'s storage for the next `takeWriteScratch` (unless it grew past 256 KiB).
    func returnWriteScratch(_ buffer: [UInt8]) {
        guard buffer.capacity <= 256 * 1024, buffer.capacity > writeScratch.capacity else { return }
        writeScratch = buffer
    }

    /// Traps when called off the loop's queue.
    @inline(__always)
    public func preconditionInLoop() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    /// Traps in debug builds when called off the loop's queue: the check at the entry points of loop-confined types.
    @inline(__always)
    public func assertInLoop() {
        #if DEBUG
            dispatchPrecondition(condition: .onQueue(queue))
        #endif
    }

    /// The loop's libcurl multi handle, created on first use.
    var curlMulti: CurlMulti {
        if let multi = curlMultiStorage { return multi }
        let multi = CurlMulti(loop: self)
        curlMultiStorage = multi
        return multi
    }

    /// Registers an object to be swept until `unregister` is called. The loop holds it strongly meanwhile: a
    /// connection stays alive exactly as long as it is registered.
    func register(_ object: LoopSweepable) {
        sweepables.insert(object)
        guard !sweepTimerArmed else { return }
        sweepTimerArmed = true
        sweepTimer?.arm(milliseconds: Self.sweepTickMs)
    }

    /// Stops sweeping `object` and drops the loop's reference to it.
    func unregister(_ object: LoopSweepable) {
        sweepables.remove(object)
    }

    /// Calls `body` for each registered object (a snapshot: `body` may unregister).
    func forEachRegistered(_ body: (LoopSweepable) -> Void) {
        for object in sweepables.all { body(object) }
    }

    /// Stops the loop's timers and closes its libcurl multi handle (every upstream socket). Connections must be
    /// closed first. Call on the loop; nothing may use the loop afterwards. A second call does nothing.
    func shutdown() {
        preconditionInLoop()
        guard !isShutDown else { return }
        isShutDown = true
        sweepTimer?.close()
        sweepTimer = nil
        sweepables.removeAll()
        curlMultiStorage?.close()
        waker.close(reactor: reactor)
        reactor.shutdown()
    }

    // MARK: Turns

    /// One busy period (see the type's documentation): handles ready sockets and deferred work until the loop goes
    /// quiet, runs out of budget, or other threads have queued blocks.
    private func runBusyPeriod() {
        inBusyPeriod = true
        defer {
            inBusyPeriod = false
            if !deferred.isEmpty { queueDeferredFlush() }
        }
        let start = MonotonicClock.nanoseconds()
        var timeout: Int32 = 0
        while true {
            let events = reactor.poll(timeoutMs: timeout)
            if timeout > 0 { waiting.store(false, ordering: .sequentiallyConsistent) }
            runDeferred()
            if events == 0, deferred.isEmpty { return }
            if queuedWork.load(ordering: .sequentiallyConsistent) > 0 { return }
            if MonotonicClock.nanoseconds() &- start >= Self.busyPeriodBudgetNs { return }
            if !deferred.isEmpty {
                timeout = 0
                continue
            }
            timeout = Self.lingerMs
            waiting.store(true, ordering: .sequentiallyConsistent)
            // Work queued before `waiting` was visible would not wake us: check once more.
            if queuedWork.load(ordering: .sequentiallyConsistent) > 0 {
                waiting.store(false, ordering: .sequentiallyConsistent)
                return
            }
        }
    }

    /// Runs the deferred blocks queued so far (blocks they defer run in the next round).
    private func runDeferred() {
        guard !deferred.isEmpty else { return }
        let round = deferred
        deferred.removeAll(keepingCapacity: true)
        for work in round { work() }
    }

    /// Queues one block that runs the deferred work (and another after it while work keeps being deferred).
    private func queueDeferredFlush() {
        guard !deferredFlushQueued else { return }
        deferredFlushQueued = true
        queue.async { [self] in
            deferredFlushQueued = false
            runDeferred()
            if !deferred.isEmpty { queueDeferredFlush() }
        }
    }

    // MARK: Sweeping

    private func sweepSlice() {
        guard !sweepables.isEmpty else {
            // Nothing to sweep: an idle loop takes no timer wake-ups until something registers again.
            sweepTimerArmed = false
            return
        }
        sweepTimer?.arm(milliseconds: Self.sweepTickMs)
        let now = MonotonicClock.nanoseconds()
        // Copied out of the ring, so an object that unregisters while the slice is swept does not copy the ring.
        for object in Array(sweepables.nextSlice(ticksPerRound: Self.sweepTicksPerInterval)) {
            object.sweep(now: now)
        }
    }
}
