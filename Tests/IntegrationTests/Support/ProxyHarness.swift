import Foundation
import Logging
import MockUpstream
import ProxyCore

/// A mock upstream and a proxy in-process on 127.0.0.1 with port 0, wired together, with logs captured in memory.
final class ProxyHarness {
    static let upstreamKey = "pplx-test-upstream-key-7f3a9c"

    let mock: MockUpstreamServer
    let proxy: ProxyServer
    let logs: LogSink
    var port: UInt16 { proxy.localAddress.port }

    /// `eventDelayMs` spaces the mock's stream events (0: all at once).
    init(
        api: UpstreamAPI = .chat, metadata: MetadataMode = .final, eventDelayMs: Int = 0,
        configure: (inout ProxyConfig) -> Void = { _ in }
    ) throws {
        mock = try MockUpstreamServer(
            options: MockOptions(api: api == .agent ? .agent : .chat, expectedKey: Self.upstreamKey, eventDelayMs: eventDelayMs))
        mock.start()
        var config = ProxyConfig()
        config.listen = ListenAddress(host: "127.0.0.1", port: 0)
        config.upstream.url = mock.baseURL
        config.upstream.api = api
        config.stream.metadata = metadata
        config.eventLoops = 2
        configure(&config)
        logs = LogSink.memory()
        let sink = logs
        let logger = Logger(label: "test") { label in LineLogHandler(label: label, level: .debug, sink: sink) }
        proxy = try ProxyServer(settings: ProxySettings(config: config, upstreamKey: Self.upstreamKey), logger: logger)
        proxy.start()
    }

    deinit {
        proxy.stop()
        mock.stop()
    }

    func client(timeoutSeconds: Int = 15) throws -> RawHTTPClient {
        try RawHTTPClient(port: port, receiveTimeoutSeconds: timeoutSeconds)
    }

    /// A chat request body; `scenario` selects the mock's behaviour.
    static func chatBody(model: String = "sonar", stream: Bool = true, scenario: String? = nil, extra: String = "") -> String {
        let question = "What is the capital of France?" + (scenario.map { " mock:\($0)" } ?? "")
        return #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"\#(question)"}]\#(extra)}"#
    }

    /// Posts a chat completion on a fresh connection and reads the whole response.
    func chat(model: String = "sonar", stream: Bool = true, scenario: String? = nil, extra: String = "") throws -> RawHTTPClient.Response {
        let c = try client()
        try c.post("/v1/chat/completions", json: Self.chatBody(model: model, stream: stream, scenario: scenario, extra: extra))
        return try c.readResponse()
    }

    /// Polls `condition` every 10 ms for at most `seconds` (bounded waiting on another thread's progress).
    func eventually(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}
