import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The append-only usage ledger: one JSON line per finished request, written with one `write(2)` on an
/// `O_APPEND` descriptor before the request counts as done, so a crash loses at most the line being written.
///
/// Writes that fail (a full disk, an I/O error, a file that went away) are never silent: each failure is counted
/// (`pplx_ledger_write_errors_total`), the first of an episode is logged at error level, and the record is kept
/// in memory (up to `maxPending`) and written, in order, as soon as the file takes writes again (on the next
/// record, or from `retryPending`, which the server calls every second). A record written only in part is
/// finished from where it stopped, so it is neither torn nor written twice; only after a reopen (a rotated file)
/// does a file that ends mid-line get a fresh line first. The file is reopened when it is moved or removed
/// (logrotate's default), and on `reopen()` (SIGHUP); while a removed file cannot be recreated, records wait
/// rather than go to the removed one.
///
/// Not thread-safe: the proxy keeps it behind a mutex (`ProxyState.ledger`).
///
/// A pending-record queue rather than blocking or failing the request: the request already happened upstream
/// and was paid for, so its record must not be lost because the disk filled up.
public final class UsageLedger: @unchecked Sendable {
    /// The ledger's path.
    public let path: String
    /// Records kept while the file cannot be written; more than this are dropped (and counted).
    static let maxPending = 10_000
    /// How often the path is checked for a rotated or removed file.
    static let rotationCheckNs: UInt64 = 1_000_000_000

    private var fd: Int32
    /// The identity of the open file, to notice a rename or removal of `path`.
    private var identity: (device: UInt64, inode: UInt64)
    private var lastRotationCheck: UInt64 = 0
    /// The open file ends in the middle of a line that is not ours to finish (a crash, a foreign writer).
    private var endsMidLine = false
    private var pending: [[UInt8]] = []
    /// Bytes of `pending.first` already in the file.
    private var headWritten = 0
    private var failing = false
    private var dropping = false
    /// The path no longer names the open file and could not be reopened: writing would go to a removed file.
    private var stale = false
    private let metrics: ProxyMetrics?
    private let logger: Logger?
    private let writeBytes: WriteFunction

    /// `write(2)`'s shape: bytes written, or -1 with `errno` set. Tests pass one that fails on purpose.
    public typealias WriteFunction = @Sendable (_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int

    /// Opens (creating if needed) the ledger for appending.
    public init(
        path: String, metrics: ProxyMetrics? = nil, logger: Logger? = nil,
        write: @escaping WriteFunction = { Glibc.write($0, $1, $2) }
    ) throws(LedgerError) {
        self.path = path
        self.metrics = metrics
        self.logger = logger
        self.writeBytes = write
        (fd, identity) = try Self.open(path)
        endsMidLine = Self.endsMidLine(fd)
    }

    /// Whether every record so far reached the file (false while writes fail or records wait in memory):
    /// `usage_ledger_required` refuses new requests meanwhile.
    public var isWritable: Bool { !failing && pending.isEmpty }

    /// Records waiting in memory for the file to take writes again.
    public var pendingCount: Int { pending.count }

    /// Appends one record (after any that are still waiting).
    public func append(_ record: UsageRecord) {
        checkRotation()
        if pending.count >= Self.maxPending {
            metrics?.ledgerRecordsDropped.increment()
            if !dropping {
                dropping = true
                logger?.error(
                    "usage ledger: records are being dropped, \(Self.maxPending) already wait in memory",
                    metadata: ["path": .string(path), "request_id": .string(record.requestID)])
            }
            return
        }
        dropping = false
        pending.append(record.jsonLine)
        writePending()
    }

    /// Writes what waits in memory, if the file takes it now; checks for rotation first.
    public func retryPending() {
        checkRotation()
        if !pending.isEmpty { writePending() }
    }

    /// Closes and opens the path again (SIGHUP; logrotate's `create`), keeping waiting records for the new file.
    public func reopen() {
        do {
            let (newFD, newIdentity) = try Self.open(path)
            Glibc.close(fd)
            fd = newFD
            identity = newIdentity
            stale = false
            // A record half written to the old file is written whole to the new one.
            headWritten = 0
            endsMidLine = Self.endsMidLine(fd)
            if !pending.isEmpty { writePending() }
        } catch {
            // Whatever the old descriptor points at may no longer be the path's file: records wait until a reopen
            // works (tried again every second).
            stale = true
            noteFailure("cannot reopen: \(error)")
        }
    }

    /// Closes the descriptor.
    public func close() {
        if !pending.isEmpty {
            logger?.error(
                "usage ledger closed with records still unwritten", metadata: ["path": .string(path), "records": "\(pending.count)"])
        }
        Glibc.close(fd)
    }

    // MARK: Writing

    private func writePending() {
        defer { metrics?.ledgerPendingRecords.store(pending.count) }
        while let line = pending.first {
            guard write(line) else { return }
            pending.removeFirst()
            headWritten = 0
        }
        if failing {
            failing = false
            logger?.notice("usage ledger writable again; waiting records written", metadata: ["path": .string(path)])
        }
    }

    /// Writes the rest of `line` (all of it unless an earlier attempt got part of it in), on a fresh line if the
    /// file ends in someone else's fragment. False on any failure.
    private func write(_ line: [UInt8]) -> Bool {
        if stale {
            noteFailure("\(path) was removed and cannot be created again")
            return false
        }
        if endsMidLine, headWritten == 0 {
            var newline = UInt8(ascii: "\n")
            guard writeBytes(fd, &newline, 1) == 1 else {
                noteFailure(String(cString: strerror(errno)))
                return false
            }
            endsMidLine = false
        }
        while headWritten < line.count {
            let written = line.withUnsafeBytes { raw in writeBytes(fd, raw.baseAddress! + headWritten, raw.count - headWritten) }
            if written < 0 {
                if errno == EINTR { continue }
                noteFailure(String(cString: strerror(errno)))
                return false
            }
            if written == 0 {
                noteFailure("write wrote nothing")
                return false
            }
            headWritten += written
        }
        return true
    }

    private func noteFailure(_ reason: String) {
        metrics?.ledgerWriteErrors.increment()
        guard !failing else { return }
        failing = true
        logger?.error(
            "usage ledger write failed; records are kept in memory and retried",
            metadata: ["path": .string(path), "error": .string(reason)])
    }

    // MARK: The file

    /// Reopens the path when the file was moved or removed (checked at most once a second).
    private func checkRotation() {
        let now = MonotonicClock.nanoseconds()
        guard now &- lastRotationCheck >= Self.rotationCheckNs else { return }
        lastRotationCheck = now
        if stale { return reopen() }
        var info = stat()
        if stat(path, &info) == 0, UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode { return }
        logger?.notice("usage ledger was moved or removed; reopening", metadata: ["path": .string(path)])
        reopen()
    }

    private static func open(_ path: String) throws(LedgerError) -> (Int32, (device: UInt64, inode: UInt64)) {
        let fd = Glibc.open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw LedgerError("cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(fd, &info)
        return (fd, (UInt64(info.st_dev), UInt64(info.st_ino)))
    }

    /// Whether the file's last byte is not a newline (a crash tore the last write).
    private static func endsMidLine(_ fd: Int32) -> Bool {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, size - 1) == 1 && last != UInt8(ascii: "\n")
    }
}
