/// Bytes written for a client that the kernel has not taken yet, with the time they last made progress (so a
/// client that stops reading can be cut off).
///
/// Writes go straight to the socket; only what it refuses stays here, and write interest is registered until it
/// is gone. Confined to the connection's loop.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private var sent = 0
    /// When the waiting bytes last moved (or started waiting); nil when nothing waits.
    private(set) var stalledSince: UInt64?

    /// Bytes waiting.
    var count: Int { bytes.count - sent }
    var isEmpty: Bool { sent == bytes.count }

    /// Writes `data` (after anything already waiting) as far as the socket takes it; keeps the rest. Returns
    /// false when the write failed (the peer is gone).
    mutating func write(
        _ data: UnsafeRawBufferPointer, now: UInt64, using transport: (UnsafeRawBufferPointer) throws(SocketError) -> IOResult
    ) -> Bool {
        guard data.count > 0 else { return true }
        if !isEmpty {
            bytes.append(contentsOf: data)
            return true
        }
        var offset = 0
        while offset < data.count {
            let result: IOResult
            do {
                result = try transport(UnsafeRawBufferPointer(rebasing: data[offset...]))
            } catch {
                return false
            }
            guard case .processed(let n) = result, n > 0 else { break }
            offset += n
        }
        if offset < data.count {
            bytes.removeAll(keepingCapacity: true)
            sent = 0
            bytes.append(contentsOf: data[offset...])
            stalledSince = now
        }
        return true
    }

    /// Writes what is waiting as far as the socket takes it. Returns false when the write failed.
    mutating func flush(now: UInt64, using transport: (UnsafeRawBufferPointer) throws(SocketError) -> IOResult) -> Bool {
        while !isEmpty {
            let result: IOResult
            do {
                result = try bytes.withUnsafeBytes { raw throws(SocketError) in
                    try transport(UnsafeRawBufferPointer(rebasing: raw[sent...]))
                }
            } catch {
                return false
            }
            guard case .processed(let n) = result, n > 0 else { return true }
            sent += n
            stalledSince = now
        }
        // Everything left: drop the storage (a long stream should not keep a large buffer it once needed).
        bytes = []
        sent = 0
        stalledSince = nil
        return true
    }

    /// Drops what is waiting (the connection is closing).
    mutating func discard() {
        bytes = []
        sent = 0
        stalledSince = nil
    }
}
