import ProxyCore

/// The keys of a JSON object document's top level, in the order written (the parsed `JSONValue` forgets it).
enum TopLevelKeys {
    /// The keys of `bytes`, which must already be known to hold a valid JSON object.
    static func inOrder(_ bytes: [UInt8]) -> [String] {
        var keys: [String] = []
        var depth = 0
        var expectingKey = false
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "{"):
                depth += 1
                expectingKey = depth == 1
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
            case UInt8(ascii: ","): expectingKey = depth == 1
            case UInt8(ascii: "\""):
                let end = closingQuote(in: bytes, after: index)
                if depth == 1 && expectingKey, let key = try? JSONValue.parse(bytes[index...end]).stringValue {
                    keys.append(key)
                    expectingKey = false
                }
                index = end
            default: break
            }
            index += 1
        }
        return keys
    }

    private static func closingQuote(in bytes: [UInt8], after opening: Int) -> Int {
        var index = opening + 1
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return min(index, bytes.count - 1)
    }
}
