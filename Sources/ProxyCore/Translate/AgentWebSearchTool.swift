/// Folds a client's Sonar search parameters into the Agent API `web_search` tool.
///
/// Sonar took search filters as top-level request fields; the Agent API takes them on the `web_search` tool:
/// the filters inside its `filters` object, `search_context_size` and `user_location` on the tool itself
/// (perplexity-agent-api.md §2, "Tools").
enum AgentWebSearchTool {
    /// Top-level Sonar parameters that become members of the tool's `filters` under the same names.
    static let filterParameters = [
        "search_domain_filter", "search_recency_filter", "search_after_date_filter", "search_before_date_filter",
        "last_updated_after_filter", "last_updated_before_filter",
    ]

    /// The Agent API's limit on `search_domain_filter` entries.
    static let maximumDomains = 20

    /// Members of `web_search_options.user_location` the Agent API knows; others would be a 400 upstream.
    private static let userLocationFields: Set<String> = ["country", "region", "city", "latitude", "longitude"]

    /// The route's tools with the client's filters and `web_search_options` applied to the route's `web_search`
    /// tool, or to a new one when the route has none. The client's values override the route's, key by key.
    static func tools(
        _ routeTools: [JSONValue], applying body: [String: JSONValue], dropped: inout [String]
    ) throws(OpenAIError) -> [JSONValue] {
        var filters: [String: JSONValue] = [:]
        for name in filterParameters {
            if let value = try filter(name, body[name]) { filters[name] = value }
        }
        var fields = try toolFields(body["web_search_options"], dropped: &dropped)
        if let maxResults = try maxResults(body["num_search_results"]) { fields["max_results"] = maxResults }
        if filters.isEmpty && fields.isEmpty { return routeTools }

        var tools = routeTools
        let index = tools.firstIndex { $0["type"]?.stringValue == "web_search" }
        var tool = index.flatMap { tools[$0].objectValue } ?? ["type": .string("web_search")]
        if !filters.isEmpty {
            tool["filters"] = .object((tool["filters"]?.objectValue ?? [:]).merging(filters) { $1 })
        }
        tool.merge(fields) { $1 }
        if let index {
            tools[index] = .object(tool)
        } else {
            tools.append(.object(tool))
        }
        return tools
    }

    /// A domain filter entry as the Agent API wants it: no scheme and no trailing slash, a leading `-` (deny) kept.
    static func domain(_ entry: String) -> String {
        var rest = Substring(entry)
        let denies = rest.hasPrefix("-")
        if denies { rest = rest.dropFirst() }
        for scheme in ["https://", "http://"] where rest.prefix(scheme.count).lowercased() == scheme {
            rest = rest.dropFirst(scheme.count)
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        return (denies ? "-" : "") + rest
    }

    private static func filter(_ name: String, _ value: JSONValue?) throws(OpenAIError) -> JSONValue? {
        switch value {
        case nil, .null?:
            return nil
        case .string(let text)?:
            guard name != "search_domain_filter" else { break }
            return .string(text)
        case .array(let entries)?:
            guard name == "search_domain_filter" else { break }
            guard entries.count <= maximumDomains else {
                throw AgentRequestTranslator.invalid(
                    "invalid_value", "'search_domain_filter' accepts at most \(maximumDomains) entries.", name)
            }
            var domains: [JSONValue] = []
            for entry in entries {
                guard case .string(let text) = entry else {
                    throw AgentRequestTranslator.invalid(
                        "invalid_type", "'search_domain_filter' entries must be strings.", name)
                }
                domains.append(.string(domain(text)))
            }
            return domains.isEmpty ? nil : .array(domains)
        case .bool?, .number?, .object?:
            break
        }
        let expected = name == "search_domain_filter" ? "an array of strings" : "a string"
        throw AgentRequestTranslator.invalid("invalid_type", "'\(name)' must be \(expected).", name)
    }

    /// The range of `web_search.max_results` (perplexity-agent-api.md, "Additions, 2026-12" 6).
    static let maxResultsRange = 1...50

    /// Sonar's `num_search_results` as the tool's `max_results`.
    private static func maxResults(_ value: JSONValue?) throws(OpenAIError) -> JSONValue? {
        guard let value, !value.isNull else { return nil }
        guard let count = value.intValue, maxResultsRange.contains(count) else {
            throw AgentRequestTranslator.invalid(
                "invalid_value", "'num_search_results' must be an integer from 1 to 50.", "num_search_results")
        }
        return .number(String(count))
    }

    /// `search_context_size` and `user_location` from `web_search_options`; other members are dropped.
    private static func toolFields(
        _ options: JSONValue?, dropped: inout [String]
    ) throws(OpenAIError) -> [String: JSONValue] {
        switch options {
        case nil, .null?:
            return [:]
        case .object(let members)?:
            var fields: [String: JSONValue] = [:]
            for (key, value) in members where !value.isNull {
                switch key {
                case "search_context_size":
                    guard case .string = value else {
                        throw AgentRequestTranslator.invalid(
                            "invalid_type", "'web_search_options.search_context_size' must be a string.",
                            "web_search_options.search_context_size")
                    }
                    fields[key] = value
                case "user_location":
                    fields[key] = try userLocation(value, dropped: &dropped)
                default:
                    dropped.append("web_search_options.\(key)")
                }
            }
            return fields
        case .bool?, .number?, .string?, .array?:
            throw AgentRequestTranslator.invalid(
                "invalid_type", "'web_search_options' must be an object.", "web_search_options")
        }
    }

    private static func userLocation(_ value: JSONValue, dropped: inout [String]) throws(OpenAIError) -> JSONValue {
        guard case .object(let members) = value else {
            throw AgentRequestTranslator.invalid(
                "invalid_type", "'web_search_options.user_location' must be an object.",
                "web_search_options.user_location")
        }
        var location: [String: JSONValue] = [:]
        for (key, field) in members where !field.isNull {
            if userLocationFields.contains(key) {
                location[key] = field
            } else {
                dropped.append("web_search_options.user_location.\(key)")
            }
        }
        return .object(location)
    }
}
