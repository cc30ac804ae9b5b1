extension JSONValue {
    /// Appends compact JSON text: no whitespace, object keys in ascending order so equal values serialize to
    /// equal bytes. Number lexemes are written verbatim.
    public func append(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let lexeme): out.append(contentsOf: lexeme.utf8)
        case .string(let value): JSONEscaping.appendQuoted(value, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                element.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, key) in members.keys.sorted().enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONEscaping.appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                members[key]!.append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The compact JSON text (see `append(to:)`).
    public var serialized: [UInt8] {
        var out: [UInt8] = []
        append(to: &out)
        return out
    }

    /// The compact JSON text of this object with one more member, `key`, whose value `writeValue` appends as JSON
    /// text (a large array copied as it came, or translated piece by piece), straight into the result: a large
    /// value is written once, never assembled apart and copied. `reserving` is the value's expected size. Sorted
    /// keys apply to the parsed members; the written one comes last.
    public func serialized<Failure: Error>(
        appendingMember key: String, reserving: Int, _ writeValue: (inout [UInt8]) throws(Failure) -> Void
    ) throws(Failure) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(reserving + 1024)
        append(to: &out)
        guard case .object(let members) = self, out.last == UInt8(ascii: "}") else { return out }
        out.removeLast()
        if !members.isEmpty { out.append(UInt8(ascii: ",")) }
        JSONEscaping.appendQuoted(key, to: &out)
        out.append(UInt8(ascii: ":"))
        try writeValue(&out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// The compact JSON text as a `String`.
    public var serializedString: String {
        String(decoding: serialized, as: UTF8.self)
    }
}
