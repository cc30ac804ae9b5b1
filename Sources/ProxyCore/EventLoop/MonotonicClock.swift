#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Nanoseconds on the monotonic clock: deadlines and durations that never jump with wall-clock changes.
public enum MonotonicClock {
    /// The current monotonic time in nanoseconds.
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Converts milliseconds to nanoseconds (non-negative).
    @inline(__always)
    public static func nanoseconds(milliseconds: Int) -> UInt64 {
        UInt64(max(0, milliseconds)) &* 1_000_000
    }
}
