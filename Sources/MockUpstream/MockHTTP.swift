/// Heads and whole-body responses shared by both APIs.
enum MockHTTP {
    /// An SSE stream head (chunked: no Content-Length).
    static func eventStreamHeaders(_ extra: [MockHeader] = []) -> [MockHeader] {
        [MockHeader("Content-Type", "text/event-stream"), MockHeader("Cache-Control", "no-cache")] + extra
    }

    /// A complete body with Content-Length, as one frame.
    static func body(
        status: Int, contentType: String, _ bytes: [UInt8], extraHeaders: [MockHeader] = []
    ) -> ScriptedStream {
        ScriptedStream(
            status: status,
            headers: [MockHeader("Content-Type", contentType), MockHeader("Content-Length", String(bytes.count))]
                + extraHeaders,
            frames: [bytes], ending: .end)
    }

    /// A complete JSON body.
    static func json(status: Int, _ bytes: [UInt8], extraHeaders: [MockHeader] = []) -> ScriptedStream {
        body(status: status, contentType: "application/json", bytes, extraHeaders: extraHeaders)
    }

    /// `data: <json>\n\n`, the only event framing Sonar uses.
    static func dataFrame(_ json: [UInt8]) -> [UInt8] {
        Array("data: ".utf8) + json + Array("\n\n".utf8)
    }

    /// The `[DONE]` sentinel event.
    static let doneFrame = Array("data: [DONE]\n\n".utf8)
}
