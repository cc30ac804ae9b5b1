import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The budget periods now: the UTC day and the UTC calendar month, and when each ends.
public struct UTCClock: Sendable, Equatable {
    /// Today, "YYYY-MM-DD".
    public var day: String
    /// This month, "YYYY-MM".
    public var month: String
    /// Seconds until the next 00:00 UTC.
    public var secondsToDayEnd: Int
    /// Seconds until 00:00 UTC on the first of next month.
    public var secondsToMonthEnd: Int

    public init(day: String, secondsToDayEnd: Int, secondsToMonthEnd: Int) {
        self.day = day
        self.month = String(day.prefix(7))
        self.secondsToDayEnd = secondsToDayEnd
        self.secondsToMonthEnd = secondsToMonthEnd
    }

    /// The periods at the current time. Worked out once per second and shared: every request asks (admission,
    /// settlement), and formatting the day costs more than the rest of an admission.
    public static func now() -> UTCClock {
        let seconds = time(nil)
        if let cached = cache.withLock({ $0 }), cached.seconds == seconds { return cached.clock }
        let clock = at(seconds)
        cache.withLock { $0 = (seconds, clock) }
        return clock
    }

    private static let cache = Mutex<(seconds: time_t, clock: UTCClock)?>(nil)

    /// The periods at `seconds` since the epoch.
    public static func at(_ seconds: time_t) -> UTCClock {
        var seconds = seconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let elapsed = Int(parts.tm_hour) * 3600 + Int(parts.tm_min) * 60 + Int(parts.tm_sec)
        let daysLeft = daysIn(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1) - Int(parts.tm_mday)
        return UTCClock(
            day: dayString(seconds), secondsToDayEnd: 86_400 - elapsed, secondsToMonthEnd: daysLeft * 86_400 + 86_400 - elapsed)
    }

    /// The UTC day `days` days before `seconds` since the epoch, "YYYY-MM-DD".
    public static func day(_ days: Int, before seconds: time_t) -> String {
        dayString(seconds - time_t(days) * 86_400)
    }

    private static func dayString(_ seconds: time_t) -> String {
        String(UTCTimestamp.format(Int(seconds)).prefix(10))
    }

    private static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
