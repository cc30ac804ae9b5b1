#if canImport(Glibc)
    import Glibc
#endif

/// Reads a usage ledger line by line in constant memory: forwards for reports, backwards from the end for
/// start-up (today's and this month's totals sit at the end of a file that grows by ~100 MB a month).
public enum LedgerReader {
    /// How much is read per `read(2)`.
    static let blockSize = 1 << 20

    /// Whether two paths name the same file (device and inode), however they are spelt.
    public static func isSameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// Calls `body` with each line of the period that starts on `firstDay` ("YYYY-MM-DD"), newest first: read
    /// backwards from the end (or from byte `endingAt`), so the time taken grows with the period, not the ledger.
    ///
    /// Lines are appended in time order, give or take a few milliseconds between loops (a record stamped
    /// 23:59:59.999 can follow one stamped 00:00:00.001): the period ends after a run of `earlierLinesThatEndAPeriod`
    /// earlier lines. A line whose day cannot be read without parsing is passed on; the caller parses each line and
    /// keeps the records from `firstDay` on.
    public static func forEachLine(
        since firstDay: String, path: String, endingAt limit: Int? = nil, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        var earlierInARow = 0
        _ = forEachLineBackwards(path: path, endingAt: limit) { line in
            if let lineDay = UsageRecord.day(ofLine: line), lineDay < firstDay {
                earlierInARow += 1
                return earlierInARow < earlierLinesThatEndAPeriod
            }
            earlierInARow = 0
            body(line)
            return true
        }
    }

    /// Consecutive lines from before a period after which reading it backwards stops.
    static let earlierLinesThatEndAPeriod = 64

    /// The file's size in bytes now (0 when it does not exist or cannot be read).
    public static func size(path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int(info.st_size)
    }

    /// Calls `body` with each line (without its newline) from the start; a last line without a newline counts.
    public static func forEachLine(path: String, _ body: (UnsafeRawBufferPointer) -> Void) -> Result<Void, ConfigValueError> {
        let fd: Int32
        switch open(path) {
        case .success(let opened): fd = opened
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var carried: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ConfigValueError("cannot read \(path): \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { raw in
                var start = 0
                let block = UnsafeRawBufferPointer(rebasing: raw[0..<count])
                while let newline = nextNewline(in: block, from: start) {
                    if carried.isEmpty {
                        body(UnsafeRawBufferPointer(rebasing: block[start..<newline]))
                    } else {
                        carried.append(contentsOf: block[start..<newline])
                        carried.withUnsafeBytes { body($0) }
                        carried.removeAll(keepingCapacity: true)
                    }
                    start = newline + 1
                }
                carried.append(contentsOf: block[start...])
            }
        }
        if !carried.isEmpty { carried.withUnsafeBytes { body($0) } }
        return .success(())
    }

    /// Calls `body` with each complete line from the end (or from byte `endingAt`) backwards until it returns
    /// false. A last line without its newline (a write torn by a crash) is skipped.
    public static func forEachLineBackwards(
        path: String, endingAt limit: Int? = nil, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Result<Void, ConfigValueError> {
        let fd: Int32
        switch open(path) {
        case .success(let opened): fd = opened
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }
        var end = min(Int(lseek(fd, 0, SEEK_END)), limit ?? .max)
        guard end > 0 else { return .success(()) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        // The pieces (latest block first) of the line that continues into blocks already read: its later part.
        var tail = LineTail()
        var sawNewline = false
        var keepGoing = true
        while end > 0, keepGoing {
            let start = max(0, end - blockSize)
            let length = end - start
            var count = 0
            while count < length {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + count, length - count, off_t(start + count)) }
                if n < 0, errno == EINTR { continue }
                if n < 0 { return .failure(ConfigValueError("cannot read \(path): \(String(cString: strerror(errno)))")) }
                if n == 0 { return .failure(ConfigValueError("cannot read \(path): it shrank while being read")) }
                count += n
            }
            buffer.withUnsafeBytes { raw in
                let block = UnsafeRawBufferPointer(rebasing: raw[0..<length])
                var lineEnd = length
                var index = length - 1
                while index >= 0, keepGoing {
                    if block[index] == UInt8(ascii: "\n") {
                        if sawNewline {
                            keepGoing = tail.emit(UnsafeRawBufferPointer(rebasing: block[(index + 1)..<lineEnd]), body)
                        } else {
                            // What followed the file's last newline is a torn line: skip it.
                            tail = LineTail()
                            sawNewline = true
                        }
                        lineEnd = index
                    }
                    index -= 1
                }
                if keepGoing {
                    tail.prepend(UnsafeRawBufferPointer(rebasing: block[0..<lineEnd]))
                }
            }
            end = start
        }
        if keepGoing, sawNewline {
            _ = tail.emit(UnsafeRawBufferPointer(start: nil, count: 0), body)
        }
        return .success(())
    }

    /// The later part of a line that spans blocks, kept as the blocks' pieces (the latest first) and joined once,
    /// when its start is found: a line many blocks long costs one copy, not one per block.
    private struct LineTail {
        private var pieces: [[UInt8]] = []

        mutating func prepend(_ piece: UnsafeRawBufferPointer) {
            if !piece.isEmpty { pieces.append(Array(piece)) }
        }

        /// Emits the line `start + tail` and clears the tail; true to go on.
        mutating func emit(_ start: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
            guard !pieces.isEmpty else { return start.isEmpty ? true : body(start) }
            var line = Array(start)
            for piece in pieces.reversed() { line.append(contentsOf: piece) }
            pieces = []
            return line.withUnsafeBytes { body($0) }
        }
    }

    private static func nextNewline(in block: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < block.count, let base = block.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), block.count - start) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    private static func open(_ path: String) -> Result<Int32, ConfigValueError> {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(ConfigValueError("cannot read \(path): \(String(cString: strerror(errno)))")) }
        return .success(fd)
    }
}
