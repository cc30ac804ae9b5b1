/// Collects the problems found while reading one config document, so loading can report all of them at once.
///
/// A reference type because every `ConfigObject` being read reports into the same list.
final class ConfigReader {
    private(set) var problems: [ConfigProblem] = []

    func report(_ path: String, _ message: String) {
        problems.append(ConfigProblem(path: path, message: message))
    }

    /// Views `value` as an object with the given keys, reporting a non-object and every unknown key.
    ///
    /// Keys beginning with `//` are comments and dropped, at every level. Keys in `nullable` treat `null` as absent.
    func object(_ value: JSONValue, at path: String, keys: [String], nullable: Set<String> = []) -> ConfigObject? {
        guard let members = members(of: value, at: path) else { return nil }
        let allowed = Set(keys)
        for key in members.keys.sorted() where !allowed.contains(key) {
            report(ConfigPath.member(path, key), "unknown key (allowed: \(keys.joined(separator: ", ")))")
        }
        return ConfigObject(reader: self, path: path, members: members, nullable: nullable)
    }

    /// The members of an object whose keys are data (such as model ids), without comment keys.
    func members(of value: JSONValue, at path: String) -> [String: JSONValue]? {
        guard let members = value.objectValue else {
            report(path, Self.expected("object", got: value))
            return nil
        }
        return members.filter { !$0.key.hasPrefix("//") }
    }

    /// `expected TYPE, got KIND`; numbers that are not integers show their lexeme, since "got number" would be
    /// puzzling when an integer was asked for.
    static func expected(_ type: String, got value: JSONValue) -> String {
        if type == "integer", case .number(let lexeme) = value {
            return "expected integer, got \(lexeme)"
        }
        return "expected \(type), got \(value.kindName)"
    }
}

/// One config object being read: typed access to its members, each failure reported at the member's path.
///
/// Accessors return nil for an absent member (the caller keeps its default) and for a refused one (the problem is
/// already recorded), so callers write `if let x = object.int("port", atLeast: 0) { config.port = x }`.
struct ConfigObject {
    let reader: ConfigReader
    /// Path of the object itself.
    let path: String
    let members: [String: JSONValue]
    let nullable: Set<String>

    /// The path of a member of this object.
    func path(of key: String) -> String {
        ConfigPath.member(path, key)
    }

    /// The member's value, unless it is absent or a `null` that the schema allows.
    func value(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        if value.isNull && nullable.contains(key) { return nil }
        return value
    }

    func string(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.stringValue else {
            reader.report(path(of: key), ConfigReader.expected("string", got: value))
            return nil
        }
        return string
    }

    /// A string that must not be empty.
    func nonEmptyString(_ key: String) -> String? {
        guard let string = string(key) else { return nil }
        guard !string.isEmpty else {
            reader.report(path(of: key), "must not be empty")
            return nil
        }
        return string
    }

    /// A string turned into a value by `parse`, whose refusal is reported at the member's path.
    func string<T>(_ key: String, parsedBy parse: (String) throws(ConfigValueError) -> T) -> T? {
        guard let string = string(key) else { return nil }
        do {
            return try parse(string)
        } catch {
            reader.report(path(of: key), error.message)
            return nil
        }
    }

    /// A string from a fixed set.
    func choice(_ key: String, from allowed: [String]) -> String? {
        string(key) { (text) throws(ConfigValueError) -> String in
            guard allowed.contains(text) else { throw ConfigValueError.notOneOf(allowed, got: text) }
            return text
        }
    }

    /// A string naming a case of `E`.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, as _: E.Type) -> E? where E.RawValue == String {
        choice(key, from: E.allCases.map(\.rawValue)).flatMap(E.init(rawValue:))
    }

    func bool(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.boolValue else {
            reader.report(path(of: key), ConfigReader.expected("boolean", got: value))
            return nil
        }
        return bool
    }

    /// An integer no smaller than `minimum` (and no larger than `maximum`, when given).
    func int(_ key: String, atLeast minimum: Int, atMost maximum: Int? = nil) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.intValue else {
            reader.report(path(of: key), ConfigReader.expected("integer", got: value))
            return nil
        }
        if let maximum, !(minimum...maximum).contains(int) {
            reader.report(path(of: key), "must be between \(minimum) and \(maximum); got \(int)")
            return nil
        }
        guard int >= minimum else {
            let bound = minimum == 1 ? "greater than 0" : "at least \(minimum)"
            reader.report(path(of: key), "must be \(bound); got \(int)")
            return nil
        }
        return int
    }

    /// A US-dollar amount greater than zero, read exactly from the number's text (`0.006` is 6,000,000 nanodollars).
    func dollars(_ key: String) -> USDAmount? {
        guard let value = value(key) else { return nil }
        guard case .number(let text) = value else {
            reader.report(path(of: key), ConfigReader.expected("number (US dollars)", got: value))
            return nil
        }
        guard let amount = USDAmount(decimal: text), amount.nanos > 0 else {
            reader.report(path(of: key), "must be a dollar amount greater than 0 with at most 9 decimals; got \(text)")
            return nil
        }
        return amount
    }

    /// The elements of an array member, each with its own path.
    func array(_ key: String) -> [(value: JSONValue, path: String)]? {
        guard let value = value(key) else { return nil }
        guard let elements = value.arrayValue else {
            reader.report(path(of: key), ConfigReader.expected("array", got: value))
            return nil
        }
        let arrayPath = path(of: key)
        return elements.enumerated().map { (value: $0.element, path: ConfigPath.index(arrayPath, $0.offset)) }
    }

    /// An array of strings; any non-string element is reported and the whole array refused.
    func stringArray(_ key: String) -> [String]? {
        guard let elements = array(key) else { return nil }
        var strings: [String] = []
        for element in elements {
            guard let string = element.value.stringValue else {
                reader.report(element.path, ConfigReader.expected("string", got: element.value))
                continue
            }
            strings.append(string)
        }
        return strings.count == elements.count ? strings : nil
    }

    /// A nested object with its own schema.
    func object(_ key: String, keys: [String], nullable: Set<String> = []) -> ConfigObject? {
        guard let value = value(key) else { return nil }
        return reader.object(value, at: path(of: key), keys: keys, nullable: nullable)
    }
}
