/// A JSON value whose object members keep the order they were written in, for emitting upstream bytes.
///
/// `JSONValue` (ProxyCore) stores objects as dictionaries and always sorts keys. The emulator needs to
/// reproduce each upstream's byte layout: Sonar writes fields in a fixed order, the Agent API sorts them, and
/// legacy Sonar used Python's `", "` / `": "` separators. `WireJSON.Style` picks the layout at encoding time.
enum WireJSON: Sendable {
    case null
    case bool(Bool)
    /// A number's JSON lexeme, written verbatim (`0.0` and `0` differ on the wire).
    case number(String)
    case string(String)
    case array([WireJSON])
    case object([(key: String, value: WireJSON)])

    /// An integer number.
    static func int(_ value: Int) -> WireJSON {
        .number(String(value))
    }

    /// A US-dollar amount given in millionths, written as a plain decimal (`0.000009`, `0.005023`);
    /// zero is written as `zero` because Python and Go spell it differently (`0.0` vs `0`).
    static func usd(micros: Int, zero: String) -> WireJSON {
        guard micros != 0 else { return .number(zero) }
        let whole = String(micros / 1_000_000)
        var fraction = String(micros % 1_000_000)
        fraction = String(repeating: "0", count: 6 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return .number(fraction.isEmpty ? whole : whole + "." + fraction)
    }

    /// A string, or `null` when there is none.
    static func optional(_ value: String?) -> WireJSON {
        value.map(WireJSON.string) ?? .null
    }

    /// The same object with `key` set: replaced in place when present, appended otherwise.
    func setting(_ key: String, to value: WireJSON) -> WireJSON {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = value
        } else {
            members.append((key, value))
        }
        return .object(members)
    }
}

extension WireJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: WireJSON...) { self = .array(elements) }
    init(nilLiteral: ()) { self = .null }

    /// Members in the order written, which is the order they are encoded in unless the style sorts them.
    init(dictionaryLiteral elements: (String, WireJSON)...) {
        self = .object(elements.map { (key: $0.0, value: $0.1) })
    }
}
