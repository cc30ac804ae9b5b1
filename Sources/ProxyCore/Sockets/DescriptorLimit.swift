#if canImport(Glibc)
    import Glibc
#endif

/// The process's descriptor budget: raised to what the system allows, and the kernel's descriptor table grown to it
/// once, at start.
///
/// Every stream holds two descriptors (client and upstream). Linux grows a process's descriptor table by doubling it
/// when a new descriptor number does not fit, and in a multi-threaded process each growth waits for an RCU grace
/// period: measured here, `socket()` took 10 ms at descriptor 256 and 28 ms at 512, stalling every stream on the loop.
/// The table never shrinks, so growing it once up front removes those stalls.
public enum DescriptorLimit {
    /// The table is grown to at most this many entries (8 bytes each), however high the limit.
    static let maxReserved: rlim_t = 65_536

    /// Raises the soft `RLIMIT_NOFILE` to the hard limit and grows the descriptor table to the new limit (at most
    /// `maxReserved`). Returns the soft limit in effect.
    @discardableResult
    public static func raiseAndReserve() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        let highest = Int32(clamping: min(limit.rlim_cur, maxReserved)) - 1
        // A copy at (or above) the highest number makes the kernel size the table for it; it is closed at once.
        // F_DUPFD takes the lowest free number from there, so no descriptor in use is ever replaced.
        let source = open("/dev/null", O_RDONLY | O_CLOEXEC)
        if source >= 0 {
            if highest > source {
                let copy = fcntl(source, F_DUPFD_CLOEXEC, highest)
                if copy >= 0 { close(copy) }
            }
            close(source)
        }
        return Int(clamping: limit.rlim_cur)
    }
}
