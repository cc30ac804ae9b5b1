import ProxyCore
import Synchronization

/// What the mock has seen, for tests: `GET /mock/stats` renders it, in-process tests read it directly.
public struct MockStatsSnapshot: Sendable, Equatable {
    /// Requests received (excluding `/mock/stats`).
    public var requests = 0
    /// Run ids whose cancel endpoint was called, in order.
    public var cancellations: [String] = []
    /// Scripted responses whose client went away before the script ended.
    public var abortedStreams = 0
    /// Responses currently being written.
    public var openStreams = 0
    /// The last request's path.
    public var lastPath = ""
    /// The last request's body.
    public var lastBody: [UInt8] = []
    /// Whether the last request carried the expected key (true when no key is expected).
    public var lastAuthorizationMatches = true

    /// The JSON for `GET /mock/stats`.
    public var json: [UInt8] {
        let body = (try? JSONValue.parse(lastBody)) ?? .string(String(decoding: lastBody, as: UTF8.self))
        let value: JSONValue = .object([
            "requests": .number(requests),
            "cancellations": .array(cancellations.map { .string($0) }),
            "aborted_streams": .number(abortedStreams),
            "open_streams": .number(openStreams),
            "last_request": .object([
                "path": .string(lastPath), "body": body, "authorization_matches": .bool(lastAuthorizationMatches),
            ]),
        ])
        return value.serialized
    }
}

/// Thread-safe holder of the mock's statistics (connections on every loop update it).
final class MockStats: Sendable {
    private let state = Mutex(MockStatsSnapshot())

    var snapshot: MockStatsSnapshot { state.withLock { $0 } }

    func update(_ body: (inout MockStatsSnapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}
