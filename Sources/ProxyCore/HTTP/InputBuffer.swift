/// Bytes received but not yet parsed, with a read index so consuming is O(1); compacted lazily.
public struct InputBuffer: Sendable {
    /// Storage; the unread bytes are `bytes[readIndex...]`.
    public private(set) var bytes: [UInt8] = []
    /// Index of the first unread byte.
    public private(set) var readIndex = 0

    public init() {}

    /// Number of unread bytes.
    @inline(__always)
    public var readableCount: Int { bytes.count - readIndex }

    /// Appends received bytes.
    public mutating func append(_ chunk: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 64 * 1024)
            readIndex = 0
        }
        bytes.append(contentsOf: chunk)
    }

    /// Appends received bytes.
    public mutating func append(_ chunk: [UInt8]) {
        chunk.withUnsafeBytes { append($0) }
    }

    /// Marks `count` bytes as read; drops consumed storage once it dominates the buffer.
    public mutating func consume(_ count: Int) {
        readIndex += count
        if readIndex == bytes.count {
            bytes.removeAll(keepingCapacity: bytes.capacity <= 64 * 1024)
            readIndex = 0
        } else if readIndex > 4096 && readIndex * 2 > bytes.count {
            bytes.removeFirst(readIndex)
            readIndex = 0
        }
    }

    /// Releases all storage (used when a connection goes idle).
    public mutating func releaseIfEmpty() {
        if readableCount == 0 {
            bytes = []
            readIndex = 0
        }
    }
}
