import CPosixShims
import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Gives memory back to the system after large requests: glibc keeps freed heap in its arenas, so the 30 MB of
/// one large body stayed in the process's RSS long after the request. `malloc_trim` returns what is free.
public enum MemoryTrim {
    /// Requests with bodies at least this large schedule a trim.
    public static let threshold = 4 << 20
    /// At most one trim per second: it walks every arena.
    private static let minimumInterval: UInt64 = 1_000_000_000
    /// When the last trim ran (monotonic nanoseconds).
    private static let lastTrim = Atomic<UInt64>(0)
    /// Whether a trim is already scheduled; requests that end before it runs are covered by it.
    private static let scheduled = Atomic<Bool>(false)

    /// Schedules a trim on a utility queue: 200 ms from now, or when a second has passed since the last one. A
    /// request that ends while a trim is pending joins it; one that ends after it schedules the next, so the last
    /// of several concurrent large requests is always trimmed after too.
    public static func afterLargeRequest() {
        guard scheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let now = MonotonicClock.nanoseconds()
        let sinceLast = now &- lastTrim.load(ordering: .relaxed)
        let wait = max(200_000_000, sinceLast >= minimumInterval ? 0 : minimumInterval - sinceLast)
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .nanoseconds(Int(wait))) {
            scheduled.store(false, ordering: .releasing)
            lastTrim.store(MonotonicClock.nanoseconds(), ordering: .relaxed)
            _ = pplx_malloc_trim()
        }
    }
}
