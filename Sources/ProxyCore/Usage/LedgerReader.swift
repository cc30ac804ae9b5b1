#if canImport(Glibc)
    import Glibc
#endif

/// Reads a usage ledger line by line in constant memory: forwards for reports, backwards from the end for
/// start-up (today's and this month's totals sit at the end of a file that grows by ~100 MB a month).
public enum LedgerReader {
    /// How much is read per `read(2)`.
    static let blockSize = 1 << 20

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

    /// Calls `body` with each complete line from the end backwards until it returns false. A last line without
    /// its newline (a write torn by a crash) is skipped.
    public static func forEachLineBackwards(
        path: String, _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Result<Void, ConfigValueError> {
        let fd: Int32
        switch open(path) {
        case .success(let opened): fd = opened
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }
        var end = Int(lseek(fd, 0, SEEK_END))
        guard end > 0 else { return .success(()) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        // Bytes after the last newline seen so far: the start of the line that ends where the last block began.
        var tail: [UInt8] = []
        var sawNewline = false
        var keepGoing = true
        while end > 0, keepGoing {
            let start = max(0, end - blockSize)
            let length = end - start
            let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, length, off_t(start)) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(ConfigValueError("cannot read \(path): \(String(cString: strerror(errno)))"))
            }
            guard count == length else { break }
            buffer.withUnsafeBytes { raw in
                let block = UnsafeRawBufferPointer(rebasing: raw[0..<length])
                var lineEnd = length
                var index = length - 1
                while index >= 0, keepGoing {
                    if block[index] == UInt8(ascii: "\n") {
                        if sawNewline {
                            keepGoing = emit(UnsafeRawBufferPointer(rebasing: block[(index + 1)..<lineEnd]), tail: &tail, body)
                        } else {
                            // What followed the file's last newline is a torn line: skip it.
                            tail.removeAll()
                            sawNewline = true
                        }
                        lineEnd = index
                    }
                    index -= 1
                }
                if keepGoing {
                    tail.insert(contentsOf: block[0..<lineEnd], at: 0)
                }
            }
            end = start
        }
        if keepGoing, sawNewline, !tail.isEmpty {
            tail.withUnsafeBytes { _ = body($0) }
        }
        return .success(())
    }

    /// Emits the line `piece + tail` (the tail is the part read from a later block) and clears the tail.
    private static func emit(
        _ piece: UnsafeRawBufferPointer, tail: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Bool
    ) -> Bool {
        guard !tail.isEmpty else { return piece.isEmpty ? true : body(piece) }
        tail.insert(contentsOf: piece, at: 0)
        defer { tail.removeAll(keepingCapacity: true) }
        return tail.withUnsafeBytes { body($0) }
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
