import Synchronization

/// Numbers the requests a responder answers, so every response gets fresh, predictable ids.
///
/// Shared by all copies of one `MockResponder`: the engine may call it from several loops at once.
final class RequestCounter: Sendable {
    private let last = Mutex(0)

    /// The next request number, starting at 1.
    func next() -> Int {
        last.withLock {
            $0 += 1
            return $0
        }
    }
}

/// The ids of one response, UUID-shaped like the real ones and derived from the request number.
struct MockIdentifiers {
    /// The request number.
    var number: Int

    /// Sonar's completion id: a bare UUID.
    var completionID: String { uuid("3f0c2b6e", 0) }

    /// The Agent API's response UUID, also sent as `x-request-id`.
    var responseUUID: String { uuid("7b57af9e", 0) }

    /// The Agent API's response id: `resp_<uuid>`.
    var responseID: String { "resp_" + responseUUID }

    /// The id of the `index`-th message output item.
    func messageID(_ index: Int) -> String { "msg_" + uuid("250e7d5b", index) }

    /// The id of the `index`-th internal tool call item.
    func functionCallID(_ index: Int) -> String { "fc_" + uuid("e064596c", index) }

    /// The call id linking the `index`-th tool call to its reasoning events.
    func callID(_ index: Int) -> String { "call_" + uuid("d5bc2914", index) }

    /// `<head>-<index as 4 hex digits>-4000-8000-<number as 12 digits>`: a version-4, variant-1 UUID shape.
    private func uuid(_ head: String, _ index: Int) -> String {
        "\(head)-\(Self.padded(String(index, radix: 16), to: 4))-4000-8000-\(Self.padded(String(number), to: 12))"
    }

    private static func padded(_ digits: String, to width: Int) -> String {
        String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
