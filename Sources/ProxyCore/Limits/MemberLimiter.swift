import Synchronization

/// Enforces each member's `requests_per_minute`, `max_concurrent_streams` and `tokens_per_day`.
///
/// Shared by all loops; one short critical section per request start and end. Counters are kept by member name, so
/// they survive a SIGHUP reload (new limits apply to the counts so far). Token budgets reset at 00:00 UTC; at start
/// the proxy seeds today's totals from the usage ledger so a restart does not hand out a fresh budget.
public final class MemberLimiter: Sendable {
    private struct Usage {
        /// Start times (monotonic ns) of requests within the last minute, oldest first.
        var recentStarts: [UInt64] = []
        var openStreams = 0
        var day = ""
        var tokens = 0
    }

    private let usage = Mutex<[String: Usage]>([:])
    private static let minuteNs: UInt64 = 60_000_000_000

    public init() {}

    /// Admits a request from `member` or returns the 429 to send.
    /// - Parameters:
    ///   - now: monotonic nanoseconds; `today`: the UTC date "YYYY-MM-DD"; `secondsToMidnight`: until the budget resets.
    public func admit(_ member: ClientConfig, stream: Bool, now: UInt64, today: String, secondsToMidnight: Int) -> Result<
        MemberAdmission, OpenAIError
    > {
        usage.withLock { table in
            var entry = table[member.name] ?? Usage()
            if entry.day != today {
                entry.day = today
                entry.tokens = 0
            }
            entry.recentStarts.removeAll { now &- $0 >= Self.minuteNs }
            if let budget = member.tokensPerDay, entry.tokens >= budget {
                table[member.name] = entry
                return .failure(
                    OpenAIError(
                        status: 429, type: "rate_limit_error", code: "token_budget_exceeded",
                        message: "Member '\(member.name)' has used its \(budget) tokens for today (UTC).",
                        retryAfterSeconds: max(1, secondsToMidnight)))
            }
            if let limit = member.requestsPerMinute, entry.recentStarts.count >= limit {
                let oldest = entry.recentStarts.first ?? now
                let waitNs = Self.minuteNs &- (now &- oldest)
                table[member.name] = entry
                return .failure(
                    OpenAIError(
                        status: 429, type: "rate_limit_error", code: "rate_limit_exceeded",
                        message: "Member '\(member.name)' is limited to \(limit) requests per minute.",
                        retryAfterSeconds: max(1, Int((waitNs + 999_999_999) / 1_000_000_000))))
            }
            if stream, let limit = member.maxConcurrentStreams, entry.openStreams >= limit {
                table[member.name] = entry
                return .failure(
                    OpenAIError(
                        status: 429, type: "rate_limit_error", code: "concurrency_limit_exceeded",
                        message: "Member '\(member.name)' may have at most \(limit) streams open at once.",
                        retryAfterSeconds: 1))
            }
            entry.recentStarts.append(now)
            if stream { entry.openStreams += 1 }
            table[member.name] = entry
            return .success(MemberAdmission(member: member.name, holdsStreamSlot: stream))
        }
    }

    /// Ends an admitted request, counting the tokens it used against today's budget.
    public func finish(_ admission: MemberAdmission, tokens: Int, today: String) {
        usage.withLock { table in
            var entry = table[admission.member] ?? Usage()
            if admission.holdsStreamSlot { entry.openStreams = max(0, entry.openStreams - 1) }
            if entry.day != today {
                entry.day = today
                entry.tokens = 0
            }
            entry.tokens += tokens
            table[admission.member] = entry
        }
    }

    /// Seeds today's token totals (from the usage ledger at start-up).
    public func seedTokens(_ totals: [String: Int], today: String) {
        usage.withLock { table in
            for (member, tokens) in totals {
                var entry = table[member] ?? Usage()
                entry.day = today
                entry.tokens = tokens
                table[member] = entry
            }
        }
    }
}
