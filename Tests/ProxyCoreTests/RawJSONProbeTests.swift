import Testing

@testable import ProxyCore

@Suite struct RawJSONProbeTests {
    private func probe<T>(_ text: String, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        Array(text.utf8).withUnsafeBytes(body)
    }

    @Test(arguments: [
        (#"{"usage":{"total_tokens":3}}"#, true),
        (#"{"usage": {"total_tokens": 3}}"#, true),
        (#"{"usage":null}"#, false),
        (#"{"choices":[{"delta":{"content":"the word \"usage\": {x}"}}]}"#, false),
        (#"{"object":"chat.completion.chunk"}"#, false),
    ])
    func usageObject_isFoundOnlyAsAKeyWithAnObjectValue(text: String, expected: Bool) {
        #expect(probe(text) { RawJSONProbe.memberStartsObject("\"usage\"", in: $0) } == expected)
    }

    @Test(arguments: [
        (#"{"choices":[{"index":0,"delta":{"role":"assistant","content":"Paris"}}]}"#, true),
        (#"{"choices": [{"message": {"content": "cumulative"}, "delta": {"role": "assistant", "content": " the"}}]}"#, true),
        (#"{"choices":[{"delta":{"content":""},"finish_reason":"stop"}]}"#, false),
        (#"{"choices":[{"delta":{},"finish_reason":"stop"}]}"#, false),
        (#"{"choices":[{"delta":{"content":null}}]}"#, false),
        (#"{"usage":{"total_tokens":3}}"#, false),
    ])
    func deltaContent_isNonEmptyTextOnly(text: String, expected: Bool) {
        #expect(probe(text) { RawJSONProbe.deltaHasContent($0) } == expected)
    }
}
