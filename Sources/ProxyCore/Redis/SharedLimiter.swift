import Logging

/// Limits and budgets held in Redis, so several instances behind a load balancer enforce them as one process would
/// (CONTRACT "Scale-out"): requests per minute, concurrent streams, token and dollar budgets with reservations.
///
/// One Redis connection per event loop, driven by that loop's reactor. Each admission and each settlement is one
/// atomic script call (`SharedLimitScripts`). Streams and reservations are leases: renewed every third of
/// `redis.lease_ms` while their request runs, so an instance that dies frees them within a lease.
public final class SharedLimiter: @unchecked Sendable {
    /// What an admission holds in Redis, to settle when the request ends.
    public struct Reservation: Sendable {
        let id: String
        let loopIndex: Int
        let caller: String
        let isMember: Bool
        let streamsKey: String
        /// Hash and leases keys of each account reserved against.
        let accounts: [(hash: String, leases: String)]
    }

    /// The outcome of a shared admission.
    public enum Decision: Sendable {
        case admitted(Reservation)
        case refused(OpenAIError)
        /// Redis could not be asked (down, too slow): the caller applies `redis.on_error`.
        case unavailable(String)
    }

    /// One loop's connection and the leases its requests hold. Used on that loop only.
    private final class LoopState {
        let connection: RedisConnection
        var open: [String: Reservation] = [:]

        init(connection: RedisConnection) {
            self.connection = connection
        }
    }

    let config: RedisConfig
    private let loops: [EventLoop]
    private let states: [LoopState]
    private let metrics: ProxyMetrics
    private let logger: Logger

    public init(config: RedisConfig, loops: [EventLoop], metrics: ProxyMetrics, logger: Logger) {
        self.config = config
        self.loops = loops
        self.metrics = metrics
        self.logger = logger
        states = loops.map { LoopState(connection: RedisConnection(loop: $0, config: config)) }
        for (index, state) in states.enumerated() {
            state.connection.onError = { reason in
                logger.warning("redis \(config.host):\(config.port): \(reason)", metadata: ["loop": "\(index)"])
            }
        }
        for loop in loops { scheduleRenewal(on: loop) }
    }

    /// Asks Redis to admit a request whose worst case the local limiter worked out (`estimate`, made without
    /// enforcing anything). Call on `loop`; `completion` runs on it.
    func admit(
        _ estimate: Admission, id: String, member: ClientConfig?, team: DollarBudget, clock: UTCClock, loop: EventLoop,
        _ completion: @escaping (Decision) -> Void
    ) {
        let state = states[loop.index]
        let caller = estimate.caller
        var accounts: [Account] = []
        func add(_ kind: Account.Kind, _ hash: String, limit: Int64?, amount: Int64, ttl: Int) {
            accounts.append(Account(kind: kind, hash: hash, limit: limit, amount: amount, ttl: ttl))
        }
        let dayTTL = clock.secondsToDayEnd + 86_400
        let monthTTL = clock.secondsToMonthEnd + 86_400
        if let member {
            if estimate.holdsTokenReservation {
                add(
                    .memberTokens, tokenKey(caller, clock.day), limit: member.tokensPerDay.map(Int64.init), amount: estimate.reservedTokens,
                    ttl: dayTTL)
            }
            add(
                .memberDay, dollarKey(caller, "day", clock.day), limit: member.dollars.perDay?.nanos, amount: estimate.reservedCost.nanos,
                ttl: dayTTL)
            add(
                .memberMonth, dollarKey(caller, "month", clock.month), limit: member.dollars.perMonth?.nanos,
                amount: estimate.reservedCost.nanos, ttl: monthTTL)
        }
        add(.proxyDay, teamKey("day", clock.day), limit: team.perDay?.nanos, amount: estimate.reservedCost.nanos, ttl: dayTTL)
        add(.proxyMonth, teamKey("month", clock.month), limit: team.perMonth?.nanos, amount: estimate.reservedCost.nanos, ttl: monthTTL)

        let keys = [memberKey(caller, "rate"), memberKey(caller, "streams")] + accounts.flatMap { [$0.hash, $0.hash + ":leases"] }
        var args = [
            id, String(config.leaseMs), estimate.holdsStreamSlot ? "1" : "0", String(member?.requestsPerMinute ?? -1),
            String(member?.maxConcurrentStreams ?? -1), String(accounts.count),
        ]
        for account in accounts { args += [String(account.limit ?? -1), String(account.amount), String(account.ttl)] }
        let reservation = Reservation(
            id: id, loopIndex: loop.index, caller: caller, isMember: member != nil, streamsKey: keys[1],
            accounts: accounts.map { ($0.hash, $0.hash + ":leases") })
        SharedLimitScripts.admit.run(on: state.connection, keys: keys, args: args) { [metrics] reply in
            guard case .array(let parts) = reply, case .string(let verdict)? = parts.first else {
                metrics.redisErrors.increment()
                return completion(.unavailable("\(reply)"))
            }
            switch verdict {
            case "ok":
                state.open[id] = reservation
                completion(.admitted(reservation))
            case "rate":
                let waitMs = parts.count > 1 ? Self.integer(parts[1]) : 60_000
                let limit = member?.requestsPerMinute ?? 0
                completion(.refused(LimitRefusal.rate(caller, limit: limit, retryAfterSeconds: (waitMs + 999) / 1000)))
            case "streams":
                completion(.refused(LimitRefusal.concurrency(caller, limit: member?.maxConcurrentStreams ?? 0)))
            case "budget" where parts.count == 4:
                let index = Self.integer(parts[1]) - 1
                guard accounts.indices.contains(index) else { return completion(.unavailable("redis: bad account index")) }
                completion(
                    .refused(
                        Self.refusal(
                            accounts[index], spent: Self.integer(parts[2]), reserved: Self.integer(parts[3]), caller: caller, clock: clock))
                )
            default:
                completion(.unavailable("redis: unexpected verdict \(verdict)"))
            }
        }
    }

    /// Ends a shared admission: releases its stream slot and reservations and adds what it was charged to the
    /// current periods. Runs on the reservation's loop; a failure is logged and counted (the leases then expire).
    func settle(_ reservation: Reservation, charge: Charge, clock: UTCClock) {
        let loop = loops[reservation.loopIndex]
        loop.execute { [self] in
            let limiter = self
            let state = limiter.states[reservation.loopIndex]
            state.open[reservation.id] = nil
            let dayTTL = String(clock.secondsToDayEnd + 86_400)
            let monthTTL = String(clock.secondsToMonthEnd + 86_400)
            var charged: [(String, Int64, String)] = [
                (limiter.teamKey("day", clock.day), charge.cost.nanos, dayTTL),
                (limiter.teamKey("month", clock.month), charge.cost.nanos, monthTTL),
            ]
            if reservation.isMember {
                charged += [
                    (limiter.tokenKey(reservation.caller, clock.day), Int64(charge.tokens), dayTTL),
                    (limiter.dollarKey(reservation.caller, "day", clock.day), charge.cost.nanos, dayTTL),
                    (limiter.dollarKey(reservation.caller, "month", clock.month), charge.cost.nanos, monthTTL),
                ]
            }
            let keys = [reservation.streamsKey] + reservation.accounts.flatMap { [$0.hash, $0.leases] } + charged.map(\.0)
            let args =
                [reservation.id, String(reservation.accounts.count), String(charged.count)] + charged.flatMap { [String($0.1), $0.2] }
            SharedLimitScripts.settle.run(on: state.connection, keys: keys, args: args) { reply in
                if case .integer = reply { return }
                limiter.metrics.redisErrors.increment()
                limiter.logger.warning("redis: a finished request's reservation was not settled (its lease will expire): \(reply)")
            }
        }
    }

    /// Every third of a lease, extends the leases of the requests still running on `loop`.
    private func scheduleRenewal(on loop: EventLoop) {
        let interval = max(250, config.leaseMs / 3)
        loop.execute(afterMilliseconds: interval) { [self] in
            let limiter = self
            let state = limiter.states[loop.index]
            var keys: [String] = []
            var ids: [String] = []
            for reservation in state.open.values {
                for key in [reservation.streamsKey] + reservation.accounts.map(\.leases) {
                    keys.append(key)
                    ids.append(reservation.id)
                }
            }
            for start in stride(from: 0, to: keys.count, by: 1_000) {
                let end = min(keys.count, start + 1_000)
                SharedLimitScripts.renew.run(
                    on: state.connection, keys: Array(keys[start..<end]), args: [String(limiter.config.leaseMs)] + ids[start..<end]
                ) { _ in }
            }
            limiter.scheduleRenewal(on: loop)
        }
    }

    // MARK: - Keys

    /// A member's keys: the name sits between braces (a Redis Cluster hash tag, so one member's keys share a slot)
    /// and every suffix has a fixed shape, so no two names can produce the same key.
    private func memberKey(_ member: String, _ kind: String) -> String {
        config.keyPrefix + "{" + member + "}:" + kind
    }

    private func tokenKey(_ member: String, _ day: String) -> String {
        memberKey(member, "tokens:day:" + day)
    }

    private func dollarKey(_ member: String, _ period: String, _ name: String) -> String {
        memberKey(member, "usd:" + period + ":" + name)
    }

    private func teamKey(_ period: String, _ name: String) -> String {
        config.keyPrefix + "proxy:usd:" + period + ":" + name
    }

    // MARK: - Replies

    private static func integer(_ reply: RedisReply) -> Int {
        switch reply {
        case .integer(let value): value
        case .string(let text): Int(text) ?? 0
        default: 0
        }
    }

    /// One budget account an admission is checked and reserved against.
    private struct Account {
        enum Kind {
            case memberTokens, memberDay, memberMonth, proxyDay, proxyMonth
        }

        var kind: Kind
        var hash: String
        var limit: Int64?
        var amount: Int64
        var ttl: Int
    }

    private static func refusal(_ account: Account, spent: Int, reserved: Int, caller: String, clock: UTCClock) -> OpenAIError {
        var standing = BudgetAccount()
        standing.add(spent: Int64(spent))
        if reserved > 0 { standing.reserve(Int64(reserved)) }
        let limit = account.limit ?? 0
        switch account.kind {
        case .memberTokens:
            return LimitRefusal.tokens(caller, budget: limit, estimate: account.amount, account: standing, clock: clock)
        case .memberDay, .proxyDay, .memberMonth, .proxyMonth:
            let isMonth = account.kind == .memberMonth || account.kind == .proxyMonth
            let isMember = account.kind == .memberDay || account.kind == .memberMonth
            return LimitRefusal.dollars(
                isMember ? .member(caller) : .proxy, period: isMonth ? .month : .day, limit: USDAmount(nanos: limit),
                estimate: USDAmount(nanos: account.amount), account: standing,
                resetsInSeconds: isMonth ? clock.secondsToMonthEnd : clock.secondsToDayEnd)
        }
    }
}
