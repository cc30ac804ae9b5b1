/// Totals over the usage ledger, grouped by client, model, UTC day or UTC month, for `pplx-proxy usage`.
///
/// Built line by line (`add(line:)`), so a ledger of any size is totalled in constant memory; costs are summed
/// exactly (`USDAmount`).
public struct UsageReport: Sendable {
    /// One group's totals.
    public struct Row: Sendable, Equatable {
        public var key: String
        public var requests = 0
        public var errors = 0
        public var promptTokens = 0
        public var completionTokens = 0
        public var totalTokens = 0
        public var cost = USDAmount.zero
    }

    /// Grouping: by member, by model, or by budget period (the UTC day or month, as budgets count them).
    public enum Grouping: String, Sendable, CaseIterable {
        case client, model, day, month
    }

    private let grouping: Grouping
    private let since: String?
    private var groups: [String: Row] = [:]
    /// Lines that could not be read (a torn last line, foreign text).
    public private(set) var skippedLines = 0

    /// An empty report; `since` is "YYYY-MM-DD" (records from that UTC day on).
    public init(by grouping: Grouping, since: String?) {
        self.grouping = grouping
        self.since = since
    }

    /// A report over a whole ledger held in memory (tests, small files).
    public init(ledger: [UInt8], by grouping: Grouping, since: String?) {
        self.init(by: grouping, since: since)
        for line in ledger.split(separator: UInt8(ascii: "\n")) {
            line.withUnsafeBytes { add(line: $0) }
        }
    }

    /// Adds one ledger line (without its newline). Lines from before `since` are skipped without being parsed.
    public mutating func add(line: UnsafeRawBufferPointer) {
        guard !line.isEmpty else { return }
        if let since, let day = UsageRecord.day(ofLine: line), day < since { return }
        guard let record = UsageRecord(jsonLine: line) else {
            skippedLines += 1
            return
        }
        if let since, record.timestamp.prefix(10) < since { return }
        let key =
            switch grouping {
            case .client: record.client
            case .model: record.model
            case .day: String(record.timestamp.prefix(10))
            case .month: String(record.timestamp.prefix(7))
            }
        var row = groups[key] ?? Row(key: key)
        row.requests += 1
        if record.outcome != "ok" { row.errors += 1 }
        row.promptTokens += record.promptTokens
        row.completionTokens += record.completionTokens
        row.totalTokens += record.totalTokens
        row.cost += record.costUSD.flatMap { USDAmount(dollars: $0) } ?? .zero
        groups[key] = row
    }

    /// Rows sorted by key.
    public var rows: [Row] { groups.values.sorted { $0.key < $1.key } }

    /// A fixed-width text table.
    public func table(grouping: Grouping) -> String {
        let header = [grouping.rawValue, "requests", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "cost_usd"]
        let body = rows.map { row in
            [
                row.key, String(row.requests), String(row.errors), String(row.promptTokens), String(row.completionTokens),
                String(row.totalTokens), row.cost.description,
            ]
        }
        return TextTable.render(header: header, rows: body)
    }

    /// One JSON object per row, one per line.
    public func jsonLines(grouping: Grouping) -> String {
        rows.map { row in
            let value: JSONValue = .object([
                grouping.rawValue: .string(row.key), "requests": .number(row.requests), "errors": .number(row.errors),
                "prompt_tokens": .number(row.promptTokens), "completion_tokens": .number(row.completionTokens),
                "total_tokens": .number(row.totalTokens), "cost_usd": .number(row.cost.description),
            ])
            return value.serializedString
        }.joined(separator: "\n") + (rows.isEmpty ? "" : "\n")
    }
}
