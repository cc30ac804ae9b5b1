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
    private static let lastTrim = Atomic<UInt64>(0)

    /// Trims soon, on a utility queue, unless a trim ran in the last second.
    public static func afterLargeRequest() {
        let now = MonotonicClock.nanoseconds()
        let last = lastTrim.load(ordering: .relaxed)
        guard now &- last >= 1_000_000_000,
            lastTrim.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged
        else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + .milliseconds(200)) {
            _ = pplx_malloc_trim()
        }
    }
}
