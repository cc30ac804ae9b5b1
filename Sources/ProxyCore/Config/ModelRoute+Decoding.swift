extension ModelRoute {
    /// Reads the `models` object (client-facing id → route); nil when it is not an object.
    ///
    /// An empty table is refused: it would replace the defaults with nothing and every request would fail.
    static func decodeTable(_ value: JSONValue, at path: String, reader: ConfigReader) -> [String: ModelRoute]? {
        guard let entries = reader.members(of: value, at: path) else { return nil }
        if entries.isEmpty {
            reader.report(path, "must list at least one model; leave \"models\" out to use the built-in table")
        }
        var routes: [String: ModelRoute] = [:]
        for id in entries.keys.sorted() {
            let entryPath = ConfigPath.member(path, id)
            if id.isEmpty {
                reader.report(entryPath, "model id must not be empty")
                continue
            }
            if let route = decode(entries[id]!, at: entryPath, reader: reader) {
                routes[id] = route
            }
        }
        return routes
    }

    private static func decode(_ value: JSONValue, at path: String, reader: ConfigReader) -> ModelRoute? {
        let optional: Set = [
            "model", "preset", "tools", "tool_choice", "instructions", "max_steps", "max_output_tokens", "max_cost_usd",
        ]
        guard
            let object = reader.object(
                value, at: path, keys: optional.sorted() + ["owned_by"], nullable: optional)
        else { return nil }
        var route = ModelRoute()
        route.model = object.nonEmptyString("model")
        route.preset = object.string("preset") { (text) throws(ConfigValueError) -> String in
            guard isPreset(text) else { throw ConfigValueError.notOneOf(presets + ["<preset>@<version>"], got: text) }
            return text
        }
        route.tools = object.array("tools").map { $0.compactMap { tool($0.value, at: $0.path, reader: reader) } }
        if let choice = object.value("tool_choice") {
            route.toolChoice = toolChoice(choice, at: object.path(of: "tool_choice"), reader: reader)
        }
        route.instructions = object.string("instructions")
        route.maxSteps = object.int("max_steps", atLeast: maxStepsRange.lowerBound, atMost: maxStepsRange.upperBound)
        route.maxOutputTokens = object.int("max_output_tokens", atLeast: 1)
        route.maxCostUSD = object.dollars("max_cost_usd")
        if let ownedBy = object.nonEmptyString("owned_by") { route.ownedBy = ownedBy }
        return route
    }

    /// An Agent API tool object; comment keys are removed because the Agent API refuses unknown fields.
    private static func tool(_ value: JSONValue, at path: String, reader: ConfigReader) -> JSONValue? {
        guard let members = reader.members(of: value, at: path) else { return nil }
        let typePath = ConfigPath.member(path, "type")
        guard let type = members["type"] else {
            reader.report(typePath, "missing (required): the tool type, e.g. \"web_search\"")
            return nil
        }
        guard let name = type.stringValue else {
            reader.report(typePath, ConfigReader.expected("string", got: type))
            return nil
        }
        guard !name.isEmpty else {
            reader.report(typePath, "must not be empty")
            return nil
        }
        return value.removingCommentKeys()
    }

    private static func toolChoice(_ value: JSONValue, at path: String, reader: ConfigReader) -> JSONValue? {
        if let mode = value.stringValue {
            guard toolChoiceModes.contains(mode) else {
                reader.report(path, ConfigValueError.notOneOf(toolChoiceModes, got: mode).message + " (or an object)")
                return nil
            }
            return value
        }
        guard value.objectValue != nil else {
            reader.report(path, ConfigReader.expected("string or object", got: value))
            return nil
        }
        return value.removingCommentKeys()
    }
}

extension JSONValue {
    /// This value with `//` comment keys removed from every object inside it, for values sent upstream as-is.
    func removingCommentKeys() -> JSONValue {
        switch self {
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, value) in members where !key.hasPrefix("//") {
                kept[key] = value.removingCommentKeys()
            }
            return .object(kept)
        case .array(let elements):
            return .array(elements.map { $0.removingCommentKeys() })
        case .null, .bool, .number, .string:
            return self
        }
    }
}
