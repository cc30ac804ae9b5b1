/// The OpenAI model list for `GET /models` and one entry for `GET /models/{id}`: configured client-facing ids the
/// caller may use.
enum ModelList {
    /// Fixed creation time: ids are configuration, not artefacts with a birth date.
    static let created = 1_790_000_000

    static func json(_ config: ProxyConfig, caller: Caller) -> String {
        var out: [UInt8] = Array(#"{"object":"list","data":["#.utf8)
        var first = true
        for (id, route) in config.models.sorted(by: { $0.key < $1.key }) where caller.allows(model: id) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            appendModel(id, route, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    /// One model object, or nil when the id is not configured or not allowed for the caller.
    static func json(_ config: ProxyConfig, caller: Caller, id: String) -> String? {
        guard let route = config.models[id], caller.allows(model: id) else { return nil }
        var out: [UInt8] = []
        appendModel(id, route, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func appendModel(_ id: String, _ route: ModelRoute, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"id":"#.utf8)
        JSONEscaping.appendQuoted(id, to: &out)
        out.append(contentsOf: #","object":"model","created":\#(created),"owned_by":"#.utf8)
        JSONEscaping.appendQuoted(route.ownedBy, to: &out)
        out.append(UInt8(ascii: "}"))
    }
}
