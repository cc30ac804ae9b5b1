/// Builds the JSON paths that `ConfigProblem` reports (`upstream.api`, `clients[2].key_hash`, `models["a.b"]`).
enum ConfigPath {
    /// The document root.
    static let root = "$"

    /// The path of `key` inside the object at `parent`; keys that would read ambiguously are bracketed and quoted.
    static func member(_ parent: String, _ key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy(isPlainKeyByte)
        let step = plain ? key : "[\"\(key)\"]"
        if parent == root { return step }
        return plain ? "\(parent).\(step)" : parent + step
    }

    private static func isPlainKeyByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }

    /// The path of element `index` of the array at `parent`.
    static func index(_ parent: String, _ index: Int) -> String {
        "\(parent)[\(index)]"
    }
}
