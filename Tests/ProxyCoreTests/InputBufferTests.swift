import Testing

@testable import ProxyCore

private func unread(_ buffer: InputBuffer) -> [UInt8] {
    Array(buffer.bytes[buffer.readIndex...])
}

@Suite struct InputBufferTests {
    @Test func newBuffer_isEmpty() {
        let buffer = InputBuffer()
        #expect(buffer.readableCount == 0)
        #expect(buffer.readIndex == 0)
        #expect(buffer.bytes.isEmpty)
    }

    @Test func appendThenPartialConsume_leavesTheUnreadTail() {
        var buffer = InputBuffer()
        buffer.append(Array("hello ".utf8))
        buffer.append(Array("world".utf8))
        #expect(buffer.readableCount == 11)
        buffer.consume(6)
        #expect(buffer.readableCount == 5)
        #expect(unread(buffer) == Array("world".utf8))
        buffer.append(Array("!".utf8))
        #expect(unread(buffer) == Array("world!".utf8))
    }

    @Test func appendFromRawBuffer_appendsTheSameBytes() {
        var buffer = InputBuffer()
        let bytes: [UInt8] = [0, 1, 0xFF, 0x0A]
        bytes.withUnsafeBytes { buffer.append($0) }
        #expect(unread(buffer) == bytes)
    }

    @Test func consumingEverything_resetsTheStorage() {
        var buffer = InputBuffer()
        buffer.append(Array("abc".utf8))
        buffer.consume(3)
        #expect(buffer.readableCount == 0)
        #expect(buffer.readIndex == 0)
        #expect(buffer.bytes.isEmpty)
        buffer.append(Array("d".utf8))
        #expect(unread(buffer) == Array("d".utf8))
        #expect(buffer.readIndex == 0)
    }

    @Test func consume_compactsOnlyOnceTheConsumedPrefixDominatesAndExceeds4K() {
        var buffer = InputBuffer()
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        buffer.append(bytes)

        buffer.consume(4096)
        #expect(buffer.readIndex == 4096, "4096 bytes are not yet worth moving")
        buffer.consume(904)
        #expect(buffer.readIndex == 5000, "half the storage is not yet dominant")
        #expect(unread(buffer) == Array(bytes[5000...]))

        buffer.consume(1)
        #expect(buffer.readIndex == 0)
        #expect(buffer.bytes.count == 4999)
        #expect(unread(buffer) == Array(bytes[5001...]))
    }

    @Test func releaseIfEmpty_keepsUnreadBytes_andDropsStorageWhenEmpty() {
        var buffer = InputBuffer()
        buffer.append(Array("keep".utf8))
        buffer.consume(1)
        buffer.releaseIfEmpty()
        #expect(unread(buffer) == Array("eep".utf8))
        buffer.consume(3)
        buffer.releaseIfEmpty()
        #expect(buffer.bytes.isEmpty)
        #expect(buffer.bytes.capacity == 0)
        #expect(buffer.readIndex == 0)
    }

    /// Random appends and consumes against a plain array: the unread bytes always match, and consumed storage never
    /// outweighs the unread bytes once it passes 4 KiB.
    @Test func randomAppendsAndConsumes_matchAPlainArrayModel() {
        var random = SplitMix64(seed: 42)
        var buffer = InputBuffer()
        var model: [UInt8] = []
        var next: UInt8 = 0
        for _ in 0..<5000 {
            if Bool.random(using: &random) {
                let count = Int.random(in: 0...3000, using: &random)
                let chunk = (0..<count).map { _ in
                    next &+= 1
                    return next
                }
                buffer.append(chunk)
                model += chunk
            } else {
                let count = Int.random(in: 0...model.count, using: &random)
                buffer.consume(count)
                model.removeFirst(count)
            }
            #expect(buffer.readableCount == model.count)
            #expect(unread(buffer) == model)
            #expect(buffer.readIndex <= 4096 || buffer.readIndex * 2 <= buffer.bytes.count)
        }
    }
}
