/// Splits a `text/event-stream` body into events as bytes arrive, per the WHATWG HTML "event stream
/// interpretation" rules.
///
/// Lines end with CRLF, LF or a lone CR. A CR that is the last byte appended so far could be the first half of
/// a CRLF, so its line is held back until the next byte (or `finish()`): that keeps `endOffset` the same
/// however the stream is split. `id`, `retry` and unknown fields are ignored; the proxy does not reconnect.
///
/// Every byte is scanned once. Consumed bytes stay in the buffer until compaction is cheap (the buffer is fully
/// consumed, or the consumed part is at least half of it), so appending and draining cost amortised O(1) per byte.
public struct ServerSentEventParser: Sendable {
    /// The most bytes one event may buffer (its data so far plus the line being read) before the parser gives up.
    public let maxEventBytes: Int
    /// Whether an event grew past `maxEventBytes`; from then on no events are produced and input is discarded.
    public private(set) var overflowed = false
    /// Bytes appended so far: the stream offset of the next byte to arrive.
    public private(set) var totalBytes = 0

    private var buffer: [UInt8] = []
    /// Stream offset of `buffer[0]`.
    private var bufferOffset = 0
    /// Start of the first line not yet processed.
    private var lineStart = 0
    /// Where the search for that line's end resumes, so no byte is scanned twice.
    private var scanIndex = 0
    /// The data buffer: each `data` value followed by LF.
    private var data: [UInt8] = []
    private var name: String?
    private var finished = false

    /// A parser that overflows once one event needs more than `maxEventBytes` (default 8 MiB).
    public init(maxEventBytes: Int = 8 << 20) {
        self.maxEventBytes = maxEventBytes
    }

    /// Adds the next bytes of the stream.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "append after finish()")
        totalBytes += bytes.count
        guard !overflowed else { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds the next bytes of the stream.
    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete event, or nil until more bytes arrive.
    public mutating func next() -> ServerSentEvent? {
        guard !overflowed else { return nil }
        while let (line, next) = nextLine() {
            if let event = process(line: line, next: next) { return event }
            guard !overflowed else { return nil }
        }
        guard !overflowed else { return nil }
        if finished { return finishPending() }
        // `scanIndex` stops before a held-back CR, so the partial line is measured as its complete form will be.
        if data.count + (scanIndex - lineStart) > maxEventBytes { overflow() }
        return nil
    }

    /// Marks the end of the stream and returns the next event, including one whose blank line never came.
    ///
    /// Lenient where WHATWG discards: at EOF an unterminated last line still counts, and pending data is
    /// dispatched, so an upstream that closes right after its last `data:` line still delivers that event.
    /// Call after `next()` has returned nil; further calls to `finish()` or `next()` drain what is left.
    public mutating func finish() -> ServerSentEvent? {
        finished = true
        return next()
    }

    /// The next complete line (without its terminator) and the index just past its terminator.
    private mutating func nextLine() -> (line: Range<Int>, next: Int)? {
        let found: (end: Int, next: Int)? = buffer.withUnsafeBufferPointer { bytes in
            var index = Self.skipLineContent(bytes, from: scanIndex)
            while index < bytes.count {
                switch bytes[index] {
                case 0x0A:
                    return (index, index + 1)
                case 0x0D:
                    if index + 1 < bytes.count { return (index, bytes[index + 1] == 0x0A ? index + 2 : index + 1) }
                    scanIndex = index
                    return finished ? (index, index + 1) : nil
                default:
                    index += 1
                }
            }
            scanIndex = index
            return nil
        }
        guard let found else { return nil }
        let line = lineStart..<found.end
        lineStart = found.next
        scanIndex = found.next
        return (line, found.next)
    }

    /// The first index at or after `start` whose 8-byte word holds a CR or LF (or where fewer than 8 bytes remain):
    /// lines are scanned a word at a time, since event lines are hundreds of bytes long.
    @inline(__always)
    private static func skipLineContent(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return start }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = start
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            let lf = word ^ (ones &* 0x0A)
            let cr = word ^ (ones &* 0x0D)
            // Non-zero when some byte of `lf` or `cr` is zero, i.e. the word holds an LF or a CR.
            if ((lf &- ones) & ~lf | (cr &- ones) & ~cr) & highs != 0 { return index }
            index += 8
        }
        return index
    }

    /// Interprets one line; returns the event a blank line dispatches.
    private mutating func process(line: Range<Int>, next: Int) -> ServerSentEvent? {
        guard data.count + line.count <= maxEventBytes else {
            overflow()
            return nil
        }
        var line = line
        if bufferOffset + line.lowerBound == 0, buffer[line].starts(with: [0xEF, 0xBB, 0xBF]) {
            line = (line.lowerBound + 3)..<line.upperBound  // a UTF-8 byte order mark opening the stream
        }
        guard !line.isEmpty else { return dispatch(endOffset: bufferOffset + next) }
        let colon = buffer[line].firstIndex(of: UInt8(ascii: ":")) ?? line.upperBound
        guard colon > line.lowerBound else { return nil }  // a comment
        var valueStart = min(colon + 1, line.upperBound)
        if valueStart < line.upperBound, buffer[valueStart] == UInt8(ascii: " ") { valueStart += 1 }
        let field = buffer[line.lowerBound..<colon]
        let value = buffer[valueStart..<line.upperBound]
        if field.elementsEqual("data".utf8) {
            data.append(contentsOf: value)
            data.append(0x0A)
        } else if field.elementsEqual("event".utf8) {
            name = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        }
        return nil
    }

    /// Ends the current event: returns it if it has data, and resets the event state either way.
    private mutating func dispatch(endOffset: Int) -> ServerSentEvent? {
        defer { name = nil }
        guard !data.isEmpty else { return nil }
        data.removeLast()
        let event = ServerSentEvent(name: name, data: data, endOffset: endOffset)
        data = []
        return event
    }

    /// At EOF, after the last complete line: treats the unterminated remainder as a line, then dispatches.
    private mutating func finishPending() -> ServerSentEvent? {
        if lineStart < buffer.count {
            let line = lineStart..<buffer.count
            lineStart = buffer.count
            scanIndex = buffer.count
            _ = process(line: line, next: buffer.count)
            guard !overflowed else { return nil }
        }
        return dispatch(endOffset: totalBytes)
    }

    private mutating func overflow() {
        overflowed = true
        buffer = []
        data = []
        name = nil
    }

    /// Drops consumed bytes when that is cheap relative to the bytes kept.
    private mutating func compact() {
        guard lineStart > 0 else { return }
        if lineStart == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if lineStart * 2 >= buffer.count {
            buffer.removeSubrange(0..<lineStart)
        } else {
            return
        }
        bufferOffset += lineStart
        scanIndex -= lineStart
        lineStart = 0
    }
}
