import Logging

/// Asks the Agent API to cancel a run whose client went away, so it stops billing: `POST /v1/agent/{id}/cancel`,
/// bounded in time, fire-and-forget.
final class AgentRunCanceller: UpstreamTransferDelegate, @unchecked Sendable {
    /// Cancel calls not yet answered; shutdown waits briefly for them so abandoned runs stop billing.
    static let inFlight = AtomicCounter()

    private var keepAlive: AgentRunCanceller?
    private let runID: String
    private let logger: Logger

    private init(runID: String, logger: Logger) {
        self.runID = runID
        self.logger = logger
    }

    /// Sends the cancel request on `loop`. The canceller keeps itself alive until the call ends.
    static func cancel(runID: String, settings: ProxySettings, loop: EventLoop, logger: Logger) {
        let allowed = runID.utf8.allSatisfy { b in
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "_") || b == UInt8(ascii: "-")
        }
        guard allowed, !runID.isEmpty else { return }
        var headers: [(String, String)] = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let key = settings.upstreamKey { headers.append(("Authorization", "Bearer \(key)")) }
        let request = UpstreamRequest(
            url: settings.config.upstream.url + "/v1/agent/\(runID)/cancel", method: "POST", headers: headers, body: [],
            connectTimeoutMs: settings.config.upstream.connectTimeoutMs, totalTimeoutMs: 5_000,
            http2: settings.config.upstream.http2, secret: settings.upstreamKey, caFile: settings.config.upstream.caFile,
            proxy: settings.config.upstream.proxy)
        let canceller = AgentRunCanceller(runID: runID, logger: logger)
        canceller.keepAlive = canceller
        inFlight.increment()
        loop.execute {
            UpstreamTransfer(request: request, loop: loop, delegate: canceller).start()
        }
    }

    /// Any 4xx means there is nothing to cancel (the run already ended: 400 "already terminal"; unknown: 404):
    /// never retried, never shown to anyone.
    func upstreamDidReceiveHead(status: Int, headers: HTTPHeaders) {
        let said = (400..<500).contains(status) ? "agent run cancel: nothing to cancel" : "agent run cancel answered"
        logger.debug("\(said)", metadata: ["run": .string(runID), "status": .stringConvertible(status)])
    }

    func upstreamDidReceive(_ bytes: UnsafeRawBufferPointer) -> UpstreamDataDisposition { .accepted }

    func upstreamDidComplete(_ outcome: UpstreamOutcome) {
        if case .failed(let failure) = outcome {
            logger.debug("agent run cancel failed", metadata: ["run": .string(runID), "kind": .string(failure.metricsLabel)])
        }
        keepAlive = nil
        Self.inFlight.subtract(1)
    }
}
