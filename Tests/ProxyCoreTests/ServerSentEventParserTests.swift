import Testing

@testable import ProxyCore

/// Feeds `pieces` in order, draining after each, then finishes; returns every event produced.
private func events(
    _ pieces: [ArraySlice<UInt8>], maxEventBytes: Int = 8 << 20
) -> (events: [ServerSentEvent], parser: ServerSentEventParser) {
    var parser = ServerSentEventParser(maxEventBytes: maxEventBytes)
    var result: [ServerSentEvent] = []
    for piece in pieces {
        parser.append(Array(piece))
        while let event = parser.next() { result.append(event) }
    }
    while let event = parser.finish() { result.append(event) }
    return (result, parser)
}

private func events(_ text: String, maxEventBytes: Int = 8 << 20) -> [ServerSentEvent] {
    events([Array(text.utf8)[...]], maxEventBytes: maxEventBytes).events
}

private func event(_ name: String?, _ data: String, endingAt endOffset: Int) -> ServerSentEvent {
    ServerSentEvent(name: name, data: Array(data.utf8), endOffset: endOffset)
}

/// One block of the sample stream and the event it dispatches, if any.
private let blocks: [(text: String, name: String?, data: String?)] = [
    (": keep-alive\n\n", nil, nil),
    ("data: {\"a\":1}\n\n", nil, "{\"a\":1}"),
    ("event: response.created\r\ndata: {\"b\":2}\r\n\r\n", "response.created", "{\"b\":2}"),
    ("data: line1\n: interleaved comment\ndata: line2\r\r", nil, "line1\nline2"),
    ("data\n\n", nil, ""),
    ("data:\ndata:  two spaces\rdata:no space\n\n", nil, "\n two spaces\nno space"),
    ("id: 7\nretry: 10\nfoo: bar\nevent: ignored\n\n", nil, nil),
    ("event:\ndata: unnamed\r\n\r\n", nil, "unnamed"),
    ("event: error\ndata: {\"error\":{}}\n\n", "error", "{\"error\":{}}"),
    ("data: [DONE]\n\n", nil, "[DONE]"),
]

private let stream = Array(blocks.map(\.text).joined().utf8)

private let expectedEvents: [ServerSentEvent] = {
    var offset = 0
    var result: [ServerSentEvent] = []
    for block in blocks {
        offset += block.text.utf8.count
        if let data = block.data { result.append(event(block.name, data, endingAt: offset)) }
    }
    return result
}()

@Suite struct ServerSentEventParserTests {
    @Test func wholeStream_yieldsEachEventWithItsEndOffset() {
        let (produced, parser) = events([stream[...]])
        #expect(produced == expectedEvents)
        #expect(produced.last?.isDoneSentinel == true)
        #expect(parser.totalBytes == stream.count)
        #expect(!parser.overflowed)
    }

    @Test func streamSplitInTwo_atEveryByte_yieldsIdenticalEvents() {
        for split in 0...stream.count {
            let produced = events([stream[..<split], stream[split...]]).events
            #expect(produced == expectedEvents, "split at \(split)")
        }
    }

    @Test func streamFedByteByByte_yieldsIdenticalEvents() {
        let produced = events(stream.indices.map { stream[$0...$0] }).events
        #expect(produced == expectedEvents)
    }

    @Test func next_yieldsEventsAsSoonAsTheirBlankLineArrives() {
        var parser = ServerSentEventParser()
        parser.append(Array("data: a\n".utf8))
        #expect(parser.next() == nil)
        parser.append(Array("\ndata: b\n\ndata: c".utf8))
        #expect(parser.next() == event(nil, "a", endingAt: 9))
        #expect(parser.next() == event(nil, "b", endingAt: 18))
        #expect(parser.next() == nil)
        #expect(parser.totalBytes == 25)
    }

    @Test func trailingCR_waitsForThePossibleLF() {
        var parser = ServerSentEventParser()
        parser.append(Array("data: a\r\n\r".utf8))
        #expect(parser.next() == nil)
        parser.append(Array("\n".utf8))
        #expect(parser.next() == event(nil, "a", endingAt: 11))
    }

    @Test func trailingCR_thenOtherByte_endsTheLine() {
        var parser = ServerSentEventParser()
        parser.append(Array("data: a\r\r".utf8))
        #expect(parser.next() == nil)
        parser.append(Array("d".utf8))
        #expect(parser.next() == event(nil, "a", endingAt: 9))
    }

    @Test func finish_countsATrailingCRAsALineEnd() {
        var parser = ServerSentEventParser()
        parser.append(Array("data: a\r\r".utf8))
        #expect(parser.next() == nil)
        #expect(parser.finish() == event(nil, "a", endingAt: 9))
        #expect(parser.finish() == nil)
    }

    @Test func finish_dispatchesTheEventWhoseBlankLineNeverCame() {
        #expect(events("data: a\ndata: b") == [event(nil, "a\nb", endingAt: 15)])
        #expect(events("event: x\ndata: y\n") == [event("x", "y", endingAt: 17)])
        #expect(events("data: a\n\ndata: b") == [event(nil, "a", endingAt: 9), event(nil, "b", endingAt: 16)])
    }

    @Test func finish_dispatchesNothing_withoutData() {
        #expect(events("") == [])
        #expect(events(": only a comment") == [])
        #expect(events("event: x\n") == [])
        #expect(events("data: a\n\n: trailing comment\n") == [event(nil, "a", endingAt: 9)])
    }

    @Test func finish_drainsEventsThatNextHadNotYetReturned() {
        var parser = ServerSentEventParser()
        parser.append(Array("data: a\n\ndata: b\n\n".utf8))
        #expect(parser.finish() == event(nil, "a", endingAt: 9))
        #expect(parser.next() == event(nil, "b", endingAt: 18))
        #expect(parser.next() == nil)
    }

    @Test func commentsAlone_dispatchNothing_andEventNameResetsAtBlankLine() {
        #expect(events(": a\n: b\n\nevent: x\n\ndata: d\n\n") == [event(nil, "d", endingAt: 28)])
    }

    @Test func lineWithoutColon_isAFieldWithEmptyValue() {
        #expect(events("data\ndata\n\n") == [event(nil, "\n", endingAt: 11)])
        #expect(events("event\ndata: x\n\n") == [event(nil, "x", endingAt: 15)])
    }

    @Test func leadingByteOrderMark_isIgnored() {
        #expect(events("\u{FEFF}data: x\n\n") == [event(nil, "x", endingAt: 12)])
    }

    @Test func overflow_stopsTheParser_afterEarlierEvents() {
        let text = "data: short\n\ndata: 0123456789abcdefXYZ\n\ndata: after\n\n"
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            let (produced, parser) = events([bytes[..<split], bytes[split...]], maxEventBytes: 16)
            #expect(produced == [event(nil, "short", endingAt: 13)], "split at \(split)")
            #expect(parser.overflowed, "split at \(split)")
            #expect(parser.totalBytes == bytes.count)
        }
    }

    @Test func overflow_countsDataAcrossLines() {
        var parser = ServerSentEventParser(maxEventBytes: 16)
        parser.append(Array("data: 0123456\ndata: 0123456\ndata: 0123456\n".utf8))
        #expect(parser.next() == nil)
        #expect(parser.overflowed)
        parser.append(Array("\ndata: later\n\n".utf8))
        #expect(parser.next() == nil)
        #expect(parser.finish() == nil)
    }

    @Test func overflow_triggersOnAnUnterminatedLine_beforeItEnds() {
        var parser = ServerSentEventParser(maxEventBytes: 64)
        parser.append(Array(("data: " + String(repeating: "x", count: 100)).utf8))
        #expect(parser.next() == nil)
        #expect(parser.overflowed)
    }

    @Test func eventAtExactlyTheLimit_isDelivered() {
        let line = "data: " + String(repeating: "x", count: 10)
        #expect(
            events(line + "\n\n", maxEventBytes: 16) == [event(nil, String(repeating: "x", count: 10), endingAt: 18)])
        #expect(events(line + "x\n\n", maxEventBytes: 16) == [])
    }

    @Test func manyEventsInManyAppends_keepOffsetsExact() {
        var parser = ServerSentEventParser()
        var expected: [ServerSentEvent] = []
        var produced: [ServerSentEvent] = []
        var offset = 0
        for index in 0..<2000 {
            let frame = Array("data: {\"n\":\(index)}\n\n".utf8)
            offset += frame.count
            expected.append(ServerSentEvent(name: nil, data: Array(frame[6..<(frame.count - 2)]), endOffset: offset))
            // Frames straddle appends: each append holds the second half of one frame and the first of the next.
            parser.append(Array(frame[..<5]))
            while let event = parser.next() { produced.append(event) }
            parser.append(Array(frame[5...]))
        }
        while let event = parser.next() { produced.append(event) }
        #expect(produced == expected)
    }

    /// Long lines with CR, LF and CRLF at random places (the line scan reads eight bytes at a time), fed in random
    /// pieces, against a byte-at-a-time model of the same rules.
    @Test func randomLongLines_matchAByteAtATimeModel() {
        var random = SplitMix64(seed: 0x55E_2026)
        let terminators: [[UInt8]] = [[10], [13], [13, 10]]
        for _ in 0..<200 {
            var bytes: [UInt8] = []
            var expected: [ServerSentEvent] = []
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                var value: [UInt8] = []
                for _ in 0..<Int.random(in: 0...40, using: &random) {
                    value.append(UInt8.random(in: 0x20...0x7E, using: &random))
                }
                let lineEnd = terminators.randomElement(using: &random)!
                // After a lone CR, an LF would make the pair one CRLF instead of ending a blank line.
                let blankLineEnds = lineEnd == [13] ? [[13], [13, 10]] : terminators
                let blankLineEnd = blankLineEnds.randomElement(using: &random)!
                bytes += Array("data: ".utf8) + value + lineEnd + blankLineEnd
                expected.append(ServerSentEvent(name: nil, data: value, endOffset: bytes.count))
            }
            var pieces: [ArraySlice<UInt8>] = []
            var start = 0
            while start < bytes.count {
                let end = min(bytes.count, start + Int.random(in: 1...37, using: &random))
                pieces.append(bytes[start..<end])
                start = end
            }
            let produced = events(pieces).events
            #expect(produced.map(\.data) == expected.map(\.data))
        }
    }
}
