#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Translates Agent API `usage` into Sonar's chat-completions `usage` (perplexity-agent-api.md §7).
///
/// ```
/// prompt_tokens        ← input_tokens
/// completion_tokens    ← output_tokens
/// total_tokens         ← total_tokens (input + output when absent)
/// reasoning_tokens     ← output_tokens_details.reasoning_tokens
/// num_search_queries   ← queries of the search_results items, else tool_calls_details.search_web.invocation
///                        (billing also spells it web_search)
/// cost.input_tokens_cost   ← input_cost + cache_read_cost + cache_creation_cost (so the parts add up to the total)
/// cost.output_tokens_cost  ← output_cost
/// cost.search_queries_cost ← tool_calls_cost
/// cost.total_cost          ← total_cost
/// ```
/// Every field is optional upstream (the SDK's own model lacks some that are sent live), so absent numbers
/// count as 0. Numbers are copied as their lexemes; the one sum is computed in decimal, not binary floating
/// point, so `0.000009` stays `0.000009`.
enum AgentUsageMapper {
    /// The chat `usage` JSON object for an Agent API `usage` (null or absent gives zeros), and the ledger figures
    /// (nil when the upstream reported no usage). `searchQueries` is the count taken from search_results items,
    /// nil when the run had none.
    static func map(_ usage: JSONValue?, searchQueries: Int?) -> (json: [UInt8], ledger: StreamUsage?) {
        let usage = usage.flatMap { $0.isNull ? nil : $0 }
        let prompt = TokenCount.clamped(usage?["input_tokens"]?.intValue ?? 0)
        let completion = TokenCount.clamped(usage?["output_tokens"]?.intValue ?? 0)
        let total = TokenCount.clamped(usage?["total_tokens"]?.intValue ?? prompt + completion)
        let details = usage?["tool_calls_details"]
        let searchBilling = details?["search_web"] ?? details?["web_search"]
        let queries = searchQueries ?? searchBilling?["invocation"]?.intValue ?? 0

        var out: [UInt8] = []
        out.append(contentsOf: #"{"prompt_tokens":"#.utf8)
        out.append(contentsOf: String(prompt).utf8)
        out.append(contentsOf: #","completion_tokens":"#.utf8)
        out.append(contentsOf: String(completion).utf8)
        out.append(contentsOf: #","total_tokens":"#.utf8)
        out.append(contentsOf: String(total).utf8)
        out.append(contentsOf: #","reasoning_tokens":"#.utf8)
        out.append(contentsOf: String(usage?["output_tokens_details"]?["reasoning_tokens"]?.intValue ?? 0).utf8)
        out.append(contentsOf: #","num_search_queries":"#.utf8)
        out.append(contentsOf: String(queries).utf8)
        let cost = usage?["cost"]
        if let cost, case .object = cost {
            out.append(contentsOf: #","cost":{"input_tokens_cost":"#.utf8)
            out.append(
                contentsOf: sum([cost["input_cost"], cost["cache_read_cost"], cost["cache_creation_cost"]]).utf8)
            out.append(contentsOf: #","output_tokens_cost":"#.utf8)
            out.append(contentsOf: lexeme(cost["output_cost"]).utf8)
            out.append(contentsOf: #","search_queries_cost":"#.utf8)
            out.append(contentsOf: lexeme(cost["tool_calls_cost"]).utf8)
            out.append(contentsOf: #","total_cost":"#.utf8)
            out.append(contentsOf: lexeme(cost["total_cost"]).utf8)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))

        let ledger = usage.map { _ in
            StreamUsage(
                promptTokens: prompt, completionTokens: completion, totalTokens: total,
                costUSD: cost?["total_cost"]?.doubleValue)
        }
        return (out, ledger)
    }

    /// The number of queries the run's `search_results` items list, nil when `items` holds no such item.
    static func searchQueries(in items: [JSONValue]) -> Int? {
        var count: Int?
        for item in items where item["type"]?.stringValue == "search_results" {
            count = (count ?? 0) + (item["queries"]?.arrayValue?.count ?? 0)
        }
        return count
    }

    /// A number's lexeme, "0" for anything else.
    private static func lexeme(_ value: JSONValue?) -> String {
        guard case .number(let lexeme)? = value else { return "0" }
        return lexeme
    }

    /// The exact decimal sum of the numbers among `values`, as JSON number text.
    private static func sum(_ values: [JSONValue?]) -> String {
        var total = Decimal.zero
        for value in values {
            if case .number(let lexeme)? = value, let decimal = Decimal(string: lexeme) { total += decimal }
        }
        return total.description
    }
}
