import Testing

@testable import ProxyCore

/// The opt-in rewrite of the Agent API's events for the OpenAI SDKs' `responses.stream()` accumulators.
@Suite struct ResponsesEventNormalizerTests {
    typealias F = AgentStreamFixtures

    /// The normalized events' JSON objects, in order, and the final step; fed whole and byte by byte (same bytes).
    private func normalize(_ upstream: String) -> (events: [JSONValue], step: StreamStep) {
        func run(_ pieces: [[UInt8]]) -> ([UInt8], StreamStep) {
            var normalizer = ResponsesEventNormalizer()
            var output: [UInt8] = []
            var step = StreamStep.more
            for piece in pieces { step = piece.withUnsafeBytes { normalizer.consume($0, into: &output) } }
            return (output, step)
        }
        let bytes = Array(upstream.utf8)
        let whole = run([bytes])
        #expect(run(bytes.map { [$0] }).0 == whole.0)
        let text = String(decoding: whole.0, as: UTF8.self)
        let events = text.components(separatedBy: "\n\n").compactMap { frame -> JSONValue? in
            guard let data = frame.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }) else { return nil }
            return try? JSONValue.parse(Array(data.dropFirst(6).utf8))
        }
        return (events, whole.1)
    }

    @Test func canonicalRun_isRewrittenIntoTheSequenceOpenAIAccumulatorsNeed() {
        let (events, step) = normalize(F.canonical)
        #expect(step == .finished)
        let types = events.compactMap { $0["type"]?.stringValue }
        // The search call is announced as what it becomes; the message with an empty content list.
        let added = events.filter { $0["type"]?.stringValue == "response.output_item.added" }
        #expect(added.map { $0["item"]?["type"]?.stringValue } == ["search_results", "message"])
        #expect(added[1]["item"]?["content"] == .array([]))
        // One part announced before the first delta, closed after the text's done event.
        let firstDelta = types.firstIndex(of: "response.output_text.delta")
        let partAdded = types.firstIndex(of: "response.content_part.added")
        #expect(partAdded != nil && firstDelta != nil && partAdded! < firstDelta!)
        #expect(types.filter { $0 == "response.content_part.added" }.count == 1)
        let textDone = types.firstIndex(of: "response.output_text.done")
        #expect(textDone.map { types[$0 + 1] } == "response.content_part.done")
        #expect(events.first { $0["type"]?.stringValue == "response.content_part.done" }?["part"]?["text"] == .string(F.fullText))
        // The deltas and the terminal event are as Perplexity sent them.
        #expect(types.filter { $0 == "response.output_text.delta" }.count == F.deltas.count)
        #expect(types.last == "response.completed")
    }

    @Test func textWithoutDeltas_stillGetsItsPartAnnounced() {
        let upstream = F.created() + F.textDone(F.fullText, sequence: 9) + F.completed()
        let types = normalize(upstream).events.compactMap { $0["type"]?.stringValue }
        #expect(
            types == [
                "response.created", "response.content_part.added", "response.output_text.done", "response.content_part.done",
                "response.completed",
            ])
    }
}
