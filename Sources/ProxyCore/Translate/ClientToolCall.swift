/// A call of one of the client's functions, as the Agent API reports it in a `function_call` output item
/// (`call_id`, `name`, `arguments` as a JSON text), and as chat completions shows it to the client.
public struct ClientToolCall: Sendable, Equatable {
    /// The call's id, which the client sends back with the result (`tool_call_id`).
    public var id: String
    public var name: String
    /// The arguments as a JSON text.
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }

    /// The call an output item holds, if it is a `function_call` with a name and an id. `arguments` may arrive
    /// as an object instead of a string; it is then serialized.
    init?(item: JSONValue) {
        guard item["type"]?.stringValue == "function_call", let name = item["name"]?.stringValue, !name.isEmpty,
            let id = item["call_id"]?.stringValue ?? item["id"]?.stringValue, !id.isEmpty
        else { return nil }
        self.id = id
        self.name = name
        switch item["arguments"] {
        case .string(let text)?: arguments = text.isEmpty ? "{}" : text
        case .object(let members)?: arguments = String(decoding: JSONValue.object(members).serialized, as: UTF8.self)
        case nil, .null?, .bool?, .number?, .array?: arguments = "{}"
        }
    }

    /// Whether the item's arguments are still being written (`status: "in_progress"`): the call is shown once
    /// they are whole.
    static func isUnfinished(_ item: JSONValue) -> Bool {
        item["status"]?.stringValue == "in_progress"
    }

    /// Appends `{"index":…,"id":…,"type":"function","function":{"name":…,"arguments":…}}`; `index` nil leaves it
    /// out (a non-streamed message's `tool_calls` carry no index).
    func appendJSON(index: Int?, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if let index {
            out.append(contentsOf: #""index":"#.utf8)
            out.append(contentsOf: String(index).utf8)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: #""id":"#.utf8)
        JSONEscaping.appendQuoted(id, to: &out)
        out.append(contentsOf: #","type":"function","function":{"name":"#.utf8)
        JSONEscaping.appendQuoted(name, to: &out)
        out.append(contentsOf: #","arguments":"#.utf8)
        JSONEscaping.appendQuoted(arguments, to: &out)
        out.append(contentsOf: "}}".utf8)
    }
}
