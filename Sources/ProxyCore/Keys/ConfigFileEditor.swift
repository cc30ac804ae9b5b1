/// Edits the `clients` array of a config file's text, leaving every other byte as it was: key order, `//` comment
/// keys, indentation and blank lines survive, so `pplx-proxy keys` can rewrite a file people also edit by hand.
///
/// Each edit re-scans the text and splices bytes at the spans found (`JSONScanner`); nothing is re-serialised
/// except the values written.
public struct ConfigFileEditor {
    /// The document as edited so far.
    public private(set) var text: [UInt8]

    /// Why an edit cannot be made.
    public enum EditError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case unknownMember(String)
        case duplicateMember(String)
        case refused(String)

        public var description: String {
            switch self {
            case .refused(let why): why
            case .malformed(let why): "the config file cannot be edited: \(why)"
            case .unknownMember(let name): "no member named '\(name)'"
            case .duplicateMember(let name): "a member named '\(name)' exists already"
            }
        }
    }

    public init(text: [UInt8]) {
        self.text = text
    }

    /// The members' names, in file order.
    public func memberNames() throws(EditError) -> [String] {
        try layout().elements.map(\.name)
    }

    /// The `key_hash` of the member named `name` (nil when it has none).
    public func keyHash(of name: String) throws(EditError) -> String? {
        guard let element = try layout().elements.first(where: { $0.name == name }) else { throw .unknownMember(name) }
        guard let member = element.members.first(where: { $0.key == "key_hash" }) else { return nil }
        let raw = Array(text[member.value])
        return (try? JSONValue.parse(raw))?.stringValue
    }

    /// Appends a member object with `fields` (in this order) to `clients`, creating the array if needed.
    public mutating func addMember(_ fields: [(String, JSONValue)]) throws(EditError) {
        guard case .string(let name) = fields.first(where: { $0.0 == "name" })?.1 ?? .null else {
            throw .malformed("a member needs a name")
        }
        let layout = try layout()
        guard !layout.elements.contains(where: { $0.name == name }) else { throw .duplicateMember(name) }
        if let last = layout.elements.last, let first = layout.elements.first {
            if let indent = lineIndent(at: first.range.lowerBound) {
                splice(last.range.upperBound..<last.range.upperBound, ",\n" + indent + object(fields, indent: indent))
            } else {
                splice(last.range.upperBound..<last.range.upperBound, ", " + object(fields, indent: nil))
            }
        } else if let clients = layout.clients, let key = layout.clientsKey {
            let keyIndent = lineIndent(at: key.lowerBound) ?? ""
            let indent = keyIndent + "  "
            splice(clients, "[\n" + indent + object(fields, indent: indent) + "\n" + keyIndent + "]")
        } else if let lastValueEnd = layout.lastRootValueEnd {
            let indent = layout.firstRootKey.flatMap { lineIndent(at: $0) } ?? "  "
            splice(
                lastValueEnd..<lastValueEnd,
                ",\n" + indent + "\"clients\": [\n" + indent + "  " + object(fields, indent: indent + "  ") + "\n" + indent + "]")
        } else {
            splice(layout.root, "{\n  \"clients\": [\n    " + object(fields, indent: "    ") + "\n  ]\n}")
        }
    }

    /// Removes the member named `name` from `clients`.
    public mutating func removeMember(named name: String) throws(EditError) {
        let layout = try layout()
        guard let index = layout.elements.firstIndex(where: { $0.name == name }) else { throw .unknownMember(name) }
        let elements = layout.elements
        if elements.count == 1, let clients = layout.clients {
            splice(clients, "[]")
        } else if index > 0 {
            splice(elements[index - 1].range.upperBound..<elements[index].range.upperBound, "")
        } else {
            splice(elements[0].range.lowerBound..<elements[1].range.lowerBound, "")
        }
    }

    /// Sets (or, for nil, removes) fields of the member named `name`. New fields go after `key_hash`, in order.
    public mutating func setFields(of name: String, _ fields: [(String, JSONValue?)]) throws(EditError) {
        var anchorKey = "key_hash"
        for (key, value) in fields {
            defer { if value != nil { anchorKey = key } }
            let layout = try layout()
            guard let element = layout.elements.first(where: { $0.name == name }) else { throw .unknownMember(name) }
            let members = element.members
            let existing = members.firstIndex { $0.key == key }
            switch (existing, value) {
            case (nil, nil):
                continue
            case (let index?, let value?):
                splice(members[index].value, serialized(value))
            case (let index?, nil):
                if members.count == 1 {
                    splice(element.range, "{}")
                } else if index > 0 {
                    splice(members[index - 1].value.upperBound..<members[index].value.upperBound, "")
                } else {
                    splice(members[0].keyRange.lowerBound..<members[1].keyRange.lowerBound, "")
                }
            case (nil, let value?):
                guard let anchor = members.first(where: { $0.key == anchorKey }) ?? members.last else {
                    splice(element.range, "{" + quoted(key) + ": " + serialized(value) + "}")
                    continue
                }
                let separator = lineIndent(at: members[0].keyRange.lowerBound).map { ",\n" + $0 } ?? ", "
                splice(anchor.value.upperBound..<anchor.value.upperBound, separator + quoted(key) + ": " + serialized(value))
            }
        }
    }

    // MARK: - Finding spans

    private struct Member {
        var key: String
        var keyRange: Range<Int>
        var value: Range<Int>
    }

    private struct Element {
        var name: String
        var range: Range<Int>
        var members: [Member]
    }

    private struct Layout {
        var root: Range<Int>
        var firstRootKey: Int?
        var lastRootValueEnd: Int?
        var clientsKey: Range<Int>?
        var clients: Range<Int>?
        var elements: [Element] = []
    }

    private func layout() throws(EditError) -> Layout {
        let result: Result<Layout, EditError> = text.withUnsafeBytes { raw in
            let json = JSONScanner(raw)
            guard let root = json.root(), root.kind == .object else { return .failure(.malformed("it is not a JSON object")) }
            var layout = Layout(root: root.range)
            var clients: JSONSpan?
            var clientsKeys = 0
            _ = json.forEachMember(of: root) { key, value in
                if layout.firstRootKey == nil { layout.firstRootKey = key.range.lowerBound }
                if json.string(key) == "clients" { clientsKeys += 1 }
                layout.lastRootValueEnd = value.range.upperBound
                if json.string(key) == "clients" {
                    layout.clientsKey = key.range
                    layout.clients = value.range
                    clients = value
                }
                return true
            }
            guard clientsKeys <= 1 else { return .failure(.malformed("\"clients\" appears twice; fix it by hand first")) }
            guard let clients, clients.kind != .null else { return .success(layout) }
            guard clients.kind == .array else { return .failure(.malformed("clients is not an array")) }
            var problem: EditError?
            _ = json.forEachElement(of: clients) { element in
                var members: [Member] = []
                var name: String?
                let wellFormed = json.forEachMember(of: element) { key, value in
                    let keyText = json.string(key) ?? ""
                    if keyText == "name" { name = json.string(value) }
                    members.append(Member(key: keyText, keyRange: key.range, value: value.range))
                    return true
                }
                guard wellFormed, let name else {
                    problem = .malformed("clients[\(layout.elements.count)] has no name")
                    return false
                }
                // The loader keeps the last of duplicate keys; an edit of the first would change nothing it reads.
                let keys = members.map(\.key)
                guard Set(keys).count == keys.count else {
                    problem = .malformed("clients[\(layout.elements.count)] names a key twice; fix it by hand first")
                    return false
                }
                layout.elements.append(Element(name: name, range: element.range, members: members))
                return true
            }
            if let problem { return .failure(problem) }
            return .success(layout)
        }
        return try result.get()
    }

    /// The whitespace that starts the line `offset` is on, when only whitespace precedes `offset` on it.
    private func lineIndent(at offset: Int) -> String? {
        var start = offset
        while start > 0, text[start - 1] != UInt8(ascii: "\n") {
            start -= 1
            guard text[start] == UInt8(ascii: " ") || text[start] == UInt8(ascii: "\t") else { return nil }
        }
        return String(decoding: text[start..<offset], as: UTF8.self)
    }

    // MARK: - Writing

    private mutating func splice(_ range: Range<Int>, _ replacement: String) {
        text.replaceSubrange(range, with: Array(replacement.utf8))
    }

    /// A member object: one field per line under `indent`, or on one line when the array is written inline.
    private func object(_ fields: [(String, JSONValue)], indent: String?) -> String {
        let parts = fields.map { quoted($0.0) + ": " + serialized($0.1) }
        guard let indent else { return "{" + parts.joined(separator: ", ") + "}" }
        return "{\n" + parts.map { indent + "  " + $0 }.joined(separator: ",\n") + "\n" + indent + "}"
    }

    private func serialized(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        value.append(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func quoted(_ key: String) -> String {
        serialized(.string(key))
    }
}
