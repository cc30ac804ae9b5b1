/// Gathers the sources of an Agent API run into Sonar's `citations` and `search_results`.
///
/// The same URL arrives several times: in `response.reasoning.search_results`, in the `search_results` output
/// item (`output_item.done` and the terminal `output`), and in fetch results (perplexity-agent-api.md §5.3).
/// Sources are kept once per URL; a later copy fills in what an earlier one lacked, notably the search-result
/// `id` of a URL that was fetched before it was found.
///
/// Both arrays are ordered by `id`, because the answer's `[n]` markers refer to ids and old Sonar clients look
/// up `citations[n-1]`; sources without an id follow in arrival order.
struct AgentSourceCollector {
    private struct Source {
        var url: String
        var id: Int?
        var title: String?
        var date: String?
        var lastUpdated: String?
        var snippet: String?
        var origin: String?

        /// Takes each field this source lacks from `other`, a later copy of the same URL.
        mutating func fill(from other: Source) {
            id = id ?? other.id
            title = title ?? other.title
            date = date ?? other.date
            lastUpdated = lastUpdated ?? other.lastUpdated
            snippet = snippet ?? other.snippet
            origin = origin ?? other.origin
        }
    }

    /// In arrival order.
    private var sources: [Source] = []
    private var positionByURL: [String: Int] = [:]

    /// Adds an array of result objects (a search's `results`, a fetch's `contents`); tolerates null and
    /// entries without a URL.
    mutating func add(results: JSONValue?) {
        for result in results?.arrayValue ?? [] {
            guard let url = result["url"]?.stringValue, !url.isEmpty else { continue }
            let incoming = Source(
                url: url,
                id: result["id"]?.intValue,
                title: result["title"]?.stringValue,
                date: result["date"]?.stringValue,
                lastUpdated: result["last_updated"]?.stringValue,
                snippet: result["snippet"]?.stringValue,
                origin: result["source"]?.stringValue)
            if let position = positionByURL[url] {
                sources[position].fill(from: incoming)
            } else {
                positionByURL[url] = sources.count
                sources.append(incoming)
            }
        }
    }

    /// Adds the sources an output item carries (`search_results` and `fetch_url_results` items; others carry none).
    mutating func add(outputItem item: JSONValue) {
        switch item["type"]?.stringValue {
        case "search_results"?: add(results: item["results"])
        case "fetch_url_results"?: add(results: item["contents"])
        default: break
        }
    }

    /// The `citations` JSON array: the URLs in citation order.
    var citationsJSON: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (position, source) in ordered.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            JSONEscaping.appendQuoted(source.url, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// The `search_results` JSON array in citation order, each in Sonar's shape
    /// `{title, url, date, last_updated, snippet, source}` plus the Agent API `id` when there is one. Missing
    /// dates are null, a missing title or snippet is "", and the source defaults to "web" (every Agent API
    /// source is a web page).
    var searchResultsJSON: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "[")]
        for (position, source) in ordered.enumerated() {
            if position > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"title":"#.utf8)
            JSONEscaping.appendQuoted(source.title ?? "", to: &out)
            out.append(contentsOf: #","url":"#.utf8)
            JSONEscaping.appendQuoted(source.url, to: &out)
            out.append(contentsOf: #","date":"#.utf8)
            Self.appendOptional(source.date, to: &out)
            out.append(contentsOf: #","last_updated":"#.utf8)
            Self.appendOptional(source.lastUpdated, to: &out)
            out.append(contentsOf: #","snippet":"#.utf8)
            JSONEscaping.appendQuoted(source.snippet ?? "", to: &out)
            out.append(contentsOf: #","source":"#.utf8)
            JSONEscaping.appendQuoted(source.origin ?? "web", to: &out)
            if let id = source.id {
                out.append(contentsOf: #","id":"#.utf8)
                out.append(contentsOf: String(id).utf8)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
        return out
    }

    /// Sources with an id by ascending id, then the others in arrival order.
    private var ordered: [Source] {
        sources.enumerated()
            .sorted { lhs, rhs in
                switch (lhs.element.id, rhs.element.id) {
                case (let left?, let right?) where left != right: left < right
                case (.some, nil): true
                case (nil, .some): false
                default: lhs.offset < rhs.offset
                }
            }
            .map(\.element)
    }

    private static func appendOptional(_ value: String?, to out: inout [UInt8]) {
        if let value {
            JSONEscaping.appendQuoted(value, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }
}
