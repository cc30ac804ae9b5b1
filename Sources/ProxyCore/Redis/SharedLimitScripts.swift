/// The Lua scripts behind shared limits. Each runs atomically in Redis, so instances admitting requests at the same
/// moment see each other's reservations. Time is Redis's own (`TIME`), so instance clocks need not agree to the
/// millisecond.
///
/// Data: a request-rate window per member (sorted set: request id → start ms); open streams per member (sorted
/// set: request id → lease expiry ms); and per budget account (member or proxy, day or month) a hash with `spent`,
/// `reserved` and `r:<id>` = each open reservation, beside a sorted set `<account>:leases` (request id → lease
/// expiry). A lease not renewed (its instance died) expires, and the next admission on that account releases it.
enum SharedLimitScripts {
    /// Lua shared by `admit` (a lease that expired) and `settle` (a request that ended): gives back request `id`'s
    /// reservation on the account `hash` and drops its lease.
    private static let release = """
        local function release(hash, leases, id)
          local amount = redis.call('HGET', hash, 'r:' .. id)
          if amount then
            redis.call('HINCRBY', hash, 'reserved', -tonumber(amount))
            redis.call('HDEL', hash, 'r:' .. id)
          end
          redis.call('ZREM', leases, id)
        end

        """

    /// KEYS: rate window, streams, then per account its hash and leases. ARGV: request id, lease ms, stream 0|1,
    /// requests-per-minute limit (-1 none), stream limit (-1 none), account count, then per account: limit (-1
    /// none), amount to reserve, seconds the account's keys live. Returns {"ok"} or the refusal:
    /// {"budget", account index, spent, reserved}, {"rate", ms until a request leaves the window}, {"streams"}.
    static let admit = RedisScript(
        release + """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local id, lease = ARGV[1], tonumber(ARGV[2])
            local stream, rate, streams, n = ARGV[3] == '1', tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
            for i = 1, n do
              local hash, leases = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
              for _, old in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', now)) do release(hash, leases, old) end
              local limit, amount = tonumber(ARGV[4 + 3 * i]), tonumber(ARGV[5 + 3 * i])
              if limit >= 0 then
                local spent = tonumber(redis.call('HGET', hash, 'spent') or '0')
                local reserved = tonumber(redis.call('HGET', hash, 'reserved') or '0')
                if spent + reserved + amount > limit then return {'budget', i, spent, reserved} end
              end
            end
            if rate >= 0 then
              redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 60000)
              if redis.call('ZCARD', KEYS[1]) >= rate then
                local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
                return {'rate', tonumber(oldest[2]) + 60000 - now}
              end
            end
            if stream then
              redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
              if streams >= 0 and redis.call('ZCARD', KEYS[2]) >= streams then return {'streams'} end
              redis.call('ZADD', KEYS[2], now + lease, id)
              redis.call('PEXPIRE', KEYS[2], lease * 2)
            end
            if rate >= 0 then
              redis.call('ZADD', KEYS[1], now, id)
              redis.call('PEXPIRE', KEYS[1], 60000)
            end
            for i = 1, n do
              local hash, leases = KEYS[1 + 2 * i], KEYS[2 + 2 * i]
              local amount, ttl = tonumber(ARGV[5 + 3 * i]), tonumber(ARGV[6 + 3 * i])
              if amount > 0 then
                redis.call('HINCRBY', hash, 'reserved', amount)
                redis.call('HSET', hash, 'r:' .. id, amount)
                redis.call('ZADD', leases, now + lease, id)
              end
              redis.call('EXPIRE', hash, ttl)
              redis.call('EXPIRE', leases, ttl)
            end
            return {'ok'}
            """)

    /// KEYS: streams, then per admitted account its hash and leases, then per account to charge its hash. ARGV:
    /// request id, admitted account count, charged account count, then per charged account: amount, seconds to live.
    static let settle = RedisScript(
        release + """
            local id, n, m = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
            redis.call('ZREM', KEYS[1], id)
            for i = 1, n do release(KEYS[2 * i], KEYS[1 + 2 * i], id) end
            for j = 1, m do
              local hash, amount, ttl = KEYS[1 + 2 * n + j], tonumber(ARGV[2 + 2 * j]), tonumber(ARGV[3 + 2 * j])
              if amount > 0 then redis.call('HINCRBY', hash, 'spent', amount) end
              redis.call('EXPIRE', hash, ttl)
            end
            return 1
            """)

    /// KEYS: sorted sets holding leases; ARGV: lease ms, then the request id for each key. Extends each lease that
    /// still exists (one that expired was released already and stays released).
    static let renew = RedisScript(
        """
        local t = redis.call('TIME')
        local until_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
        for i = 1, #KEYS do redis.call('ZADD', KEYS[i], 'XX', until_ms, ARGV[i + 1]) end
        return #KEYS
        """)
}
