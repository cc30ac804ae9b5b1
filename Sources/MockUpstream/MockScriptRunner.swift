import Dispatch
import ProxyCore

/// Plays one `MockScript` onto a client connection, step by step, honouring pauses without blocking the loop.
///
/// Confined to the connection's loop; kept alive by the connection (as its exchange) and by pending pause blocks.
final class MockScriptRunner: HTTPExchange, @unchecked Sendable {
    private let writer: HTTPResponseWriter
    private let steps: [MockStep]
    private let stats: MockStats
    private var index = 0
    private var fixedBody: (status: Int, headers: HTTPHeaders, body: [UInt8])?
    private var streaming = false
    private var finished = false

    /// Longest a `.holdOpen` keeps the connection before giving up, so a forgotten client cannot pin the mock.
    private static let holdLimitMs = 120_000

    init(writer: HTTPResponseWriter, steps: [MockStep], stats: MockStats) {
        self.writer = writer
        self.steps = steps
        self.stats = stats
    }

    func start() {
        writer.attach(self)
        stats.update { $0.openStreams += 1 }
        run()
    }

    private func run() {
        while !finished, index < steps.count {
            let step = steps[index]
            index += 1
            switch step {
            case .head(let status, let headers):
                var fields = HTTPHeaders()
                var hasLength = false
                for header in headers {
                    if header.name.lowercased() == "content-length" { hasLength = true; continue }
                    fields.add(header.name, header.value)
                }
                if hasLength {
                    fixedBody = (status, fields, [])
                } else {
                    streaming = true
                    // A comment tells a proxy that closed its connection (a reset comes back) from one that only
                    // half-closed; scripted streams are SSE, where a comment changes nothing.
                    writer.startStream(status: status, headers: fields, probe: Array(": ping\n\n".utf8))
                }
            case .send(let bytes):
                if fixedBody != nil {
                    fixedBody!.body.append(contentsOf: bytes)
                } else {
                    writer.send(bytes)
                }
            case .pause(let milliseconds):
                // Weak: a client gone meanwhile must not keep its connection alive until the pause ends.
                writer.loop.execute(afterMilliseconds: milliseconds) { [weak self] in self?.run() }
                return
            case .holdOpen:
                writer.loop.execute(afterMilliseconds: Self.holdLimitMs) { [weak self] in self?.end() }
                return
            case .drop:
                finish()
                writer.abort()
                return
            case .end:
                end()
                return
            }
        }
        if !finished, index >= steps.count { end() }
    }

    private func end() {
        guard !finished else { return }
        if let fixed = fixedBody {
            writer.respond(status: fixed.status, headers: fixed.headers, body: fixed.body)
        } else if streaming {
            writer.send([], end: .final)
        } else {
            writer.abort()
        }
        finish()
    }

    private func finish() {
        guard !finished else { return }
        finished = true
        stats.update { $0.openStreams -= 1 }
    }

    func proceed() {}

    func stop(_ reason: ExchangeStop) {
        guard !finished else { return }
        finish()
        stats.update { $0.abortedStreams += 1 }
    }
}
