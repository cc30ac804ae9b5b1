/// `pplx-proxy keys list`: each member's name, limits, spend today and this month (from the usage ledger) and key
/// state, never a key or a hash.
public struct MemberKeyList {
    let config: ProxyConfig
    let totals: LedgerTotals?
    let now: Int

    /// `totals`: the ledger's current day and month (nil when no ledger is configured: spend is then unknown).
    public init(config: ProxyConfig, totals: LedgerTotals?, now: Int) {
        self.config = config
        self.totals = totals
        self.now = now
    }

    /// A fixed-width table.
    public func table() -> String {
        let header = [
            "name", "admin", "models", "rpm", "streams", "tokens/day", "usd/day", "usd/month", "tokens_today", "usd_today",
            "usd_month", "key",
        ]
        let rows = config.clients.map { member in
            let spend = spending(member.name)
            return [
                member.name, member.admin ? "yes" : "", member.models?.joined(separator: ",") ?? "all",
                text(member.requestsPerMinute), text(member.maxConcurrentStreams), text(member.tokensPerDay),
                member.dollars.perDay?.description ?? "-", member.dollars.perMonth?.description ?? "-",
                spend.map { String($0.tokens) } ?? "?", spend?.today.description ?? "?", spend?.month.description ?? "?",
                keyState(member),
            ]
        }
        return TextTable.render(header: header, rows: rows)
    }

    /// One JSON object per member, one per line.
    public func jsonLines() -> String {
        config.clients.map { member in
            let spend = spending(member.name)
            func number(_ value: Int?) -> JSONValue { value.map { .number($0) } ?? .null }
            func dollars(_ value: USDAmount?) -> JSONValue { value.map { .number($0.description) } ?? .null }
            let value: JSONValue = .object([
                "name": .string(member.name), "admin": .bool(member.admin),
                "models": member.models.map { .array($0.map(JSONValue.string)) } ?? .null,
                "requests_per_minute": number(member.requestsPerMinute), "max_concurrent_streams": number(member.maxConcurrentStreams),
                "tokens_per_day": number(member.tokensPerDay), "usd_per_day": dollars(member.dollars.perDay),
                "usd_per_month": dollars(member.dollars.perMonth), "tokens_today": number(spend?.tokens),
                "cost_usd_today": dollars(spend?.today), "cost_usd_month": dollars(spend?.month),
                "previous_key_expires": member.retiringKey.map { .string(UTCTimestamp.format($0.expiresAt)) } ?? .null,
            ])
            return value.serializedString + "\n"
        }.joined()
    }

    private func spending(_ name: String) -> (tokens: Int, today: USDAmount, month: USDAmount)? {
        guard let totals else { return nil }
        return (totals.tokensToday[name, default: 0], totals.costToday[name, default: .zero], totals.costMonth[name, default: .zero])
    }

    private func keyState(_ member: ClientConfig) -> String {
        guard let retiring = member.retiringKey, retiring.expiresAt > now else { return "active" }
        return "rotated; old key until \(UTCTimestamp.format(retiring.expiresAt))"
    }

    private func text(_ value: Int?) -> String {
        value.map(String.init) ?? "-"
    }
}
