/// Reads which scenario a request asks for: the `X-Mock-Scenario` header, else the first `mock:NAME` token
/// anywhere in the raw body (NAME = `[a-z0-9-]+`, e.g. in a user message), else `default`.
enum ScenarioSelection {
    /// The requested scenario name, not yet checked against the known ones.
    static func requestedName(in request: MockRequest) -> String {
        if let header = request.header("X-Mock-Scenario") {
            let name = header.trimmingSpaces.lowercased()
            if !name.isEmpty { return name }
        }
        return firstToken(in: request.body) ?? "default"
    }

    private static let marker = Array("mock:".utf8)

    private static func firstToken(in body: [UInt8]) -> String? {
        var start = 0
        while start + marker.count <= body.count {
            guard body[start..<(start + marker.count)].elementsEqual(marker) else {
                start += 1
                continue
            }
            let nameStart = start + marker.count
            var nameEnd = nameStart
            while nameEnd < body.count, isNameByte(body[nameEnd]) { nameEnd += 1 }
            if nameEnd > nameStart { return String(decoding: body[nameStart..<nameEnd], as: UTF8.self) }
            start = nameStart
        }
        return nil
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
