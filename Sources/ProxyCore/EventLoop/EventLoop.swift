import Dispatch

/// Something a loop visits on every sweep tick: connections check their deadlines and keep-alive pings there.
///
/// Deadlines are checked by one coarse periodic sweep per loop instead of one Dispatch timer per connection, so an
/// open stream costs no timer of its own (10,000 streams must fit in a small memory budget).
public protocol LoopSweepable: AnyObject {
    /// Called on the loop's queue about every `EventLoop.sweepInterval`.
    func sweep(now: UInt64)
}

/// One serial Dispatch queue that owns a set of sockets, one libcurl multi handle and the sweep timer.
///
/// Every object registered with a loop (connections, upstream transfers, listeners) is confined to its queue: it is
/// only touched from blocks running on `queue`, so none of them needs a lock. Such types are marked
/// `@unchecked Sendable` and say so in their doc comment.
public final class EventLoop: @unchecked Sendable {
    /// How often deadlines are checked. Timeouts are therefore accurate to about this much.
    public static let sweepInterval: DispatchTimeInterval = .milliseconds(100)

    /// The serial queue that runs everything confined to this loop.
    public let queue: DispatchQueue
    /// Position of this loop in its group (for logs).
    public let index: Int
    /// A scratch buffer for socket reads, shared by every connection of the loop (reads never overlap on a serial
    /// queue), so an idle connection holds no read buffer of its own.
    var readScratch: UnsafeMutableRawBufferPointer

    private var sweepables: [ObjectIdentifier: LoopSweepable] = [:]
    private var sweepTimer: DispatchSourceTimer?
    private var curlMultiStorage: CurlMulti?
    private var reactorStorage: SocketReactor?

    public init(index: Int) {
        self.index = index
        self.queue = DispatchQueue(label: "pplx.loop.\(index)")
        self.readScratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
    }

    /// Runs `work` on the loop's queue.
    public func execute(_ work: @escaping @Sendable () -> Void) {
        queue.async(execute: work)
    }

    /// Traps when called off the loop's queue.
    @inline(__always)
    public func preconditionInLoop() {
        dispatchPrecondition(condition: .onQueue(queue))
    }

    /// The loop's socket readiness multiplexer, created on first use.
    var reactor: SocketReactor {
        if let reactor = reactorStorage { return reactor }
        let reactor = SocketReactor(queue: queue)
        reactorStorage = reactor
        return reactor
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
        sweepables[ObjectIdentifier(object)] = object
        startSweepingIfNeeded()
    }

    /// Stops sweeping `object` and drops the loop's reference to it.
    func unregister(_ object: LoopSweepable) {
        sweepables.removeValue(forKey: ObjectIdentifier(object))
    }

    /// Calls `body` for each registered object (a snapshot: `body` may unregister).
    func forEachRegistered(_ body: (LoopSweepable) -> Void) {
        for object in Array(sweepables.values) { body(object) }
    }

    /// Stops the loop's timers and closes its libcurl multi handle (every upstream socket). Connections must be
    /// closed first. Call on the loop; nothing may use the loop afterwards.
    func shutdown() {
        preconditionInLoop()
        sweepTimer?.cancel()
        sweepTimer = nil
        sweepables.removeAll()
        curlMultiStorage?.close()
        reactorStorage?.shutdown()
    }

    private func startSweepingIfNeeded() {
        guard sweepTimer == nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now() + Self.sweepInterval, repeating: Self.sweepInterval, leeway: .milliseconds(20))
        timer.setEventHandler { [unowned self] in self.sweepAll() }
        timer.resume()
        sweepTimer = timer
    }

    private func sweepAll() {
        let now = MonotonicClock.nanoseconds()
        for object in Array(sweepables.values) {
            object.sweep(now: now)
        }
    }
}
