#if canImport(Glibc)
    import Glibc
#endif

/// Wall-clock seconds since 1970, for `created` fields.
public enum UnixTime {
    public static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return ts.tv_sec
    }
}
