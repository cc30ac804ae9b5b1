#if canImport(Glibc)
    import Glibc
#endif

/// The current UTC day, for daily token budgets.
public enum UTCDay {
    /// Today as "YYYY-MM-DD" and the seconds left until the next 00:00 UTC.
    public typealias Now = (day: String, secondsToMidnight: Int)

    /// Today as "YYYY-MM-DD" and the seconds left until the next 00:00 UTC.
    public static func now() -> Now {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let day = "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))"
        let elapsed = Int(parts.tm_hour) * 3600 + Int(parts.tm_min) * 60 + Int(parts.tm_sec)
        return (day, 86_400 - elapsed)
    }
}
