import Testing

@testable import ProxyCore

/// Runs `body` with a scanner over the UTF-8 of `text` and its root span.
private func scanning<Result>(_ text: String, _ body: (JSONScanner, JSONSpan?) -> Result) -> Result {
    scanning(Array(text.utf8), body)
}

private func scanning<Result>(_ bytes: [UInt8], _ body: (JSONScanner, JSONSpan?) -> Result) -> Result {
    bytes.withUnsafeBytes { raw in
        let scanner = JSONScanner(raw)
        return body(scanner, scanner.root())
    }
}

/// Perplexity chat-completions chunks (perplexity-wire.md §10.1, §10.2) and Agent API events (§3).
private enum Samples {
    static let searchResults =
        #"[{"title":"Paris - Wikipedia","url":"https://en.wikipedia.org/wiki/Paris","date":"2026-03-01","last_updated":"2026-03-02","snippet":"Paris is the capital and largest city of France.","source":"web"},{"title":"Paris | Britannica","url":"https://www.britannica.com/place/Paris","date":null,"last_updated":null,"snippet":"","source":"web"}]"#
    static let citations = #"["https://en.wikipedia.org/wiki/Paris","https://www.britannica.com/place/Paris"]"#
    static let finalUsage =
        #"{"prompt_tokens":9,"completion_tokens":14,"total_tokens":23,"search_context_size":"low","cost":{"input_tokens_cost":0.000009,"output_tokens_cost":0.000014,"request_cost":0.005,"total_cost":0.005023}}"#

    static let contentChunk =
        #"{"id":"3f0c2b6e-0000-4000-8000-000000000001","model":"sonar","created":1790000000,"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10,"search_context_size":"low","cost":{"input_tokens_cost":0.0,"output_tokens_cost":0.0,"total_cost":0.0}},"citations":\#(citations),"search_results":\#(searchResults),"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"The capital"}}]}"#
    static let doneChunk =
        #"{"id":"3f0c2b6e-0000-4000-8000-000000000001","model":"sonar","created":1790000001,"usage":\#(finalUsage),"citations":\#(citations),"search_results":\#(searchResults),"object":"chat.completion.done","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":"stop"}]}"#
    static let legacyChunk =
        #"{"id": "8c15", "model": "sonar", "created": 1741689451, "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}, "citations": ["https://example.org/a"], "object": "chat.completion", "choices": [{"index": 0, "finish_reason": null, "message": {"role": "assistant", "content": "Why did the"}, "delta": {"role": "assistant", "content": " the"}}]}"#

    static let agentUsage =
        #"{"input_tokens":9,"output_tokens":14,"total_tokens":23,"input_tokens_details":{"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0},"tool_calls_details":{"search_web":{"cost_usd":0.005,"invocation":1}},"cost":{"currency":"USD","input_cost":0.000009,"output_cost":0.000014,"tool_calls_cost":0.005,"tool_calls_cost_details":{"search_web":0.005},"total_cost":0.005023}}"#
    static let agentDelta =
        #"{"type":"response.output_text.delta","sequence_number":9,"item_id":"msg_01","output_index":1,"content_index":0,"delta":".["}"#
    static let agentItemAdded =
        #"{"type":"response.output_item.added","sequence_number":7,"output_index":1,"item":{"type":"message","id":"msg_01","role":"assistant","status":"completed","content":null}}"#
    static let agentCompleted =
        #"{"type":"response.completed","sequence_number":21,"response":{"id":"resp_0a1b","created_at":1790000000,"model":"openai/gpt-6-luna","status":"completed","output":[{"type":"message","id":"msg_01","role":"assistant","status":"completed","content":[{"type":"output_text","text":"The capital of France is Paris[1].","annotations":[]}]}],"usage":\#(agentUsage),"completed_at":1790000004}}"#
}

@Suite struct JSONScannerTests {
    @Test func chatChunk_yieldsDeltaContent_andNoFinishReason() {
        scanning(Samples.contentChunk) { json, root in
            let choice = json.element(0, of: json.member("choices", of: root))
            #expect(json.string(json.member("content", of: json.member("delta", of: choice))) == "The capital")
            #expect(json.member("finish_reason", of: choice) == nil)
            #expect(json.stringEquals(json.member("object", of: root), "chat.completion.chunk"))
            #expect(json.int(json.member("created", of: root)) == 1_790_000_000)
        }
    }

    @Test func chatDoneChunk_yieldsStop_emptyContent_andUsageBytesVerbatim() {
        scanning(Samples.doneChunk) { json, root in
            let choice = json.element(0, of: json.member("choices", of: root))
            #expect(json.stringEquals(json.member("finish_reason", of: choice), "stop"))
            #expect(json.isEmptyString(json.member("content", of: json.member("delta", of: choice))))
            let usage = json.member("usage", of: root)
            #expect(usage?.kind == .object)
            #expect(usage.map { Array(json.rawBytes($0)) } == Array(Samples.finalUsage.utf8))
            #expect(json.double(json.member("total_cost", of: json.member("cost", of: usage))) == 0.005023)
            #expect(json.int(json.member("total_tokens", of: usage)) == 23)
        }
    }

    @Test func chatChunk_citationsAndSearchResults_areWalkable() {
        scanning(Samples.doneChunk) { json, root in
            var urls: [String] = []
            let citations = json.member("citations", of: root)!
            #expect(
                json.forEachElement(of: citations) {
                    urls.append(json.string($0)!)
                    return true
                })
            #expect(urls == ["https://en.wikipedia.org/wiki/Paris", "https://www.britannica.com/place/Paris"])
            #expect(Array(json.rawBytes(citations)) == Array(Samples.citations.utf8))
            let second = json.element(1, of: json.member("search_results", of: root))
            #expect(json.isNull(json.member("date", of: second)))
            #expect(json.isEmptyString(json.member("snippet", of: second)))
            #expect(json.element(2, of: json.member("search_results", of: root)) == nil)
        }
    }

    @Test func legacyChunk_withPythonSpacing_yieldsNullFinishReasonAndDelta() {
        scanning(Samples.legacyChunk) { json, root in
            let choice = json.element(0, of: json.member("choices", of: root))
            #expect(json.member("finish_reason", of: choice)?.kind == .null)
            #expect(json.string(json.member("content", of: json.member("delta", of: choice))) == " the")
            #expect(json.string(json.member("content", of: json.member("message", of: choice))) == "Why did the")
            #expect(json.stringEquals(json.member("object", of: root), "chat.completion"))
        }
    }

    @Test func agentTextDelta_yieldsTypeAndDelta() {
        scanning(Samples.agentDelta) { json, root in
            #expect(json.stringEquals(json.member("type", of: root), "response.output_text.delta"))
            #expect(json.string(json.member("delta", of: root)) == ".[")
            #expect(json.int(json.member("output_index", of: root)) == 1)
        }
    }

    @Test func agentItemAdded_hasNullContent() {
        scanning(Samples.agentItemAdded) { json, root in
            let item = json.member("item", of: root)
            #expect(json.stringEquals(json.member("type", of: item), "message"))
            #expect(json.isNull(json.member("content", of: item)))
        }
    }

    @Test func agentCompleted_yieldsUsageBytesVerbatim_andResolvedModel() {
        scanning(Samples.agentCompleted) { json, root in
            let response = json.member("response", of: root)
            #expect(json.string(json.member("model", of: response)) == "openai/gpt-6-luna")
            let usage = json.member("usage", of: response)
            #expect(usage.map { Array(json.rawBytes($0)) } == Array(Samples.agentUsage.utf8))
            let searchWeb = json.member("search_web", of: json.member("tool_calls_details", of: usage))
            #expect(json.int(json.member("invocation", of: searchWeb)) == 1)
            let text = json.member(
                "text",
                of: json.element(
                    0, of: json.member("content", of: json.element(0, of: json.member("output", of: response)))))
            #expect(json.string(text) == "The capital of France is Paris[1].")
        }
    }

    @Test func forEachMember_visitsKeysInOrder_andStopsOnRequest() {
        scanning(#"{"a":1, "b" : [2], "c":{"d":null}}"#) { json, root in
            var keys: [String] = []
            #expect(
                json.forEachMember(of: root!) { key, _ in
                    keys.append(json.string(key)!)
                    return true
                })
            #expect(keys == ["a", "b", "c"])
            var visited = 0
            #expect(
                json.forEachMember(of: root!) { _, _ in
                    visited += 1
                    return false
                })
            #expect(visited == 1)
            #expect(!json.forEachElement(of: root!) { _ in true })
        }
    }

    @Test func member_comparesDecodedKeys_andLastDuplicateWins() {
        scanning(#"{"t\u0079pe":"x","a":1,"a":2}"#) { json, root in
            #expect(json.string(json.member("type", of: root)) == "x")
            #expect(json.int(json.member("a", of: root)) == 2)
        }
    }

    @Test func stringEquals_decodesEscapes_andRejectsOtherKinds() {
        scanning(#"["a\u002eb","a.b","a.bc",5,""]"#) { json, root in
            #expect(json.stringEquals(json.element(0, of: root), "a.b"))
            #expect(json.stringEquals(json.element(1, of: root), "a.b"))
            #expect(!json.stringEquals(json.element(2, of: root), "a.b"))
            #expect(!json.stringEquals(json.element(3, of: root), "5"))
            #expect(json.stringEquals(json.element(4, of: root), ""))
            #expect(!json.isEmptyString(json.element(3, of: root)))
        }
    }

    @Test func string_decodesEscapesAndSurrogatePairs() {
        scanning(#"["line\nbreak \"q\" \ud83d\ude00 \ud800", "é"]"#) { json, root in
            #expect(json.string(json.element(0, of: root)) == "line\nbreak \"q\" 😀 \u{FFFD}")
            #expect(json.string(json.element(1, of: root)) == "é")
            #expect(Array(json.rawBytes(json.element(1, of: root)!)) == Array(#""é""#.utf8))
        }
    }

    @Test func numbers_convertLikeJSONValue() {
        let lexemes = [
            "0", "-5", "1e3", "5.0", "5.5", "9223372036854775807", "-9223372036854775808",
            "9223372036854775808", "0.005023", "-0", "1E-2",
        ]
        scanning("[" + lexemes.joined(separator: ",") + "]") { json, root in
            for (index, lexeme) in lexemes.enumerated() {
                let span = json.element(index, of: root)
                #expect(json.int(span) == JSONValue.number(lexeme).intValue, "\(lexeme)")
                #expect(json.double(span) == JSONValue.number(lexeme).doubleValue, "\(lexeme)")
            }
            #expect(json.int(json.element(0, of: json.root())) == 0)
        }
    }

    @Test func bool_readsTrueAndFalseOnly() {
        scanning("[true,false,null]") { json, root in
            #expect(json.bool(json.element(0, of: root)) == true)
            #expect(json.bool(json.element(1, of: root)) == false)
            #expect(json.bool(json.element(2, of: root)) == nil)
        }
    }

    @Test func lookups_onWrongKindsOrNil_returnNil() {
        scanning(#"{"a":[1]}"#) { json, root in
            #expect(json.element(0, of: root) == nil)
            #expect(json.member("a", of: json.member("a", of: root)) == nil)
            #expect(json.element(-1, of: json.member("a", of: root)) == nil)
            #expect(json.member("a", of: nil) == nil)
            #expect(json.string(nil) == nil)
            #expect(json.int(json.member("a", of: root)) == nil)
        }
    }

    @Test func root_acceptsSurroundingWhitespace_andScalars() {
        #expect(scanning(" \r\n\t{} \n") { _, root in root } == JSONSpan(kind: .object, range: 4..<6))
        #expect(scanning("\"s\"") { _, root in root?.kind } == .string)
        #expect(scanning("-1.5e3") { json, root in json.double(root) } == -1500)
    }

    @Test func everyProperPrefixOfAChunk_isRejected() {
        let bytes = Array(Samples.doneChunk.utf8)
        for length in 0..<bytes.count {
            #expect(scanning(Array(bytes[0..<length])) { _, root in root } == nil, "prefix \(length)")
        }
        #expect(scanning(bytes) { _, root in root } != nil)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[}", "{]", "[1,]", "[1 2]", "{,}", #"{"a":}"#, #"{"a" 1}"#, #"{"a":1,}"#,
        #"{"a":1}}"#, "[[]", #"{"a":[1,2}"#, #"{1:2}"#, "01", "-", "1.", "1e", ".5", "+1", "tru", "nul", "nulll",
        "NaN", #""abc"#, #""\x""#, #""\u12""#, "\"\u{01}\"", "[1] x", "// c\n1", "[\"a\"\"b\"]", "{\"a\":1 \"b\":2}",
    ])
    func malformedDocument_isRejected(text: String) {
        #expect(scanning(text) { _, root in root } == nil)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func invalidUTF8InString_isRejected() {
        #expect(scanning([0x22, 0xC0, 0xAF, 0x22]) { _, root in root } == nil)
    }

    @Test func deepNesting_isRejectedWithoutRecursion() {
        let opens = Array(repeating: UInt8(ascii: "["), count: 100_000)
        #expect(scanning(opens) { _, root in root } == nil)
        #expect(scanning(opens + Array(repeating: UInt8(ascii: "]"), count: 100_000)) { _, root in root } == nil)
        let objects = Array(String(repeating: #"{"a":"#, count: 100_000).utf8)
        #expect(scanning(objects) { _, root in root } == nil)
        let deepest = String(repeating: "[", count: 256) + String(repeating: "]", count: 256)
        #expect(scanning(deepest) { _, root in root?.range } == 0..<512)
        let tooDeep = "[" + deepest + "]"
        #expect(scanning(tooDeep) { _, root in root } == nil)
    }

    /// Differential check: on near-JSON noise and on mutations of a real chunk the scanner accepts exactly the
    /// documents `JSONValue.parse` accepts, and lookups never trap.
    @Test func scanner_agreesWithParser_onGeneratedInput() {
        var random = SplitMix64(seed: 0x5EED)
        let alphabet = Array(#"{}[]":,. -+0123456789eEtruefalsn\u"#.utf8) + [0x0A, 0xC3, 0xA9, 0xFF]
        var documents: [[UInt8]] = (0..<4000).map { _ in
            (0..<Int(random.next() % 24)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
        }
        let chunk = Array(Samples.legacyChunk.utf8)
        for _ in 0..<2000 {
            var mutated = chunk
            let position = Int(random.next() % UInt64(chunk.count))
            if random.next() % 2 == 0 {
                mutated.remove(at: position)
            } else {
                mutated[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
            }
            documents.append(mutated)
        }
        var accepted = 0
        for document in documents {
            let parsed = try? JSONValue.parse(document)
            let root = scanning(document) { json, root in
                _ = json.member("choices", of: root)
                _ = json.element(0, of: root)
                return root
            }
            #expect((root != nil) == (parsed != nil), "\(document)")
            if root != nil { accepted += 1 }
        }
        #expect(accepted > 100)
    }

    @Test func members_findEveryKeyInOnePass_asMemberWouldOneByOne() {
        let text = #"{"b":2,"a":{"x":[1,{"a":9}]},"\u0063":"escaped","b":3}"#
        let found: [String?]? = scanning(text) { json, root in
            json.members(["a", "b", "c", "missing"], of: root)?.map { span in
                span.map { String(decoding: json.rawBytes($0), as: UTF8.self) }
            }
        }
        #expect(found == [#"{"x":[1,{"a":9}]}"#, "3", #""escaped""#, nil])
        let oneByOne: [String?] = scanning(text) { json, root in
            [json.member("a", of: root), json.member("b", of: root), json.member("c", of: root)].map { span in
                span.map { String(decoding: json.rawBytes($0), as: UTF8.self) }
            }
        }
        #expect(Array(found?.prefix(3) ?? []) == oneByOne)
    }

    @Test func members_ofAnythingButAWellFormedObject_isNil() {
        #expect(scanning("[1,2]") { json, root in json.members(["a"], of: root) } == nil)
        #expect(scanning(#"{"a":1,}"#) { json, root in json.members(["a"], of: root) } == nil)
        #expect(scanning("{}") { json, _ in json.members(["a"], of: nil) } == nil)
        #expect(scanning("{}") { json, root in json.members(["a"], of: root) } == [nil])
    }
}
