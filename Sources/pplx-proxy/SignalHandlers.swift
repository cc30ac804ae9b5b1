import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// SIGTERM/SIGINT and SIGHUP handling, installed before the process says `listening on`.
///
/// A C signal handler writes the signal number to a pipe, and a Dispatch read source on the pipe calls the Swift
/// handlers on the main queue. `signal(2)` takes effect at once and a pipe keeps what was written until it is read,
/// so a signal sent the moment a supervisor sees the process listening is never lost. (Dispatch's own signal
/// sources arm asynchronously after the disposition is set to ignore, so a signal in between was dropped and the
/// process never stopped.)
enum SignalHandlers {
    /// The pipe's write end, for the C handler (which can capture nothing). Set once, before any handler runs.
    nonisolated(unsafe) private static var pipeWriteEnd: Int32 = -1

    /// Routes SIGTERM and SIGINT to `termination` and, when given, SIGHUP to `hangup`, on the main queue. Keep
    /// the returned source alive.
    static func install(termination: @escaping (Int32) -> Void, hangup: (() -> Void)? = nil) -> DispatchSourceRead {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { fatalError("pipe failed: \(errno)") }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        pipeWriteEnd = ends[1]
        let handler: @convention(c) (Int32) -> Void = { signalNumber in
            // Only write(2), which is async-signal-safe; errno is kept for the interrupted code.
            let savedErrno = errno
            var byte = UInt8(truncatingIfNeeded: signalNumber)
            _ = write(SignalHandlers.pipeWriteEnd, &byte, 1)
            errno = savedErrno
        }
        var handled = [SIGTERM, SIGINT]
        if hangup != nil { handled.append(SIGHUP) }
        for signalNumber in handled { signal(signalNumber, handler) }
        let readEnd = ends[0]
        let source = DispatchSource.makeReadSource(fileDescriptor: readEnd, queue: .main)
        source.setEventHandler {
            var received = [UInt8](repeating: 0, count: 32)
            let count = read(readEnd, &received, received.count)
            for byte in received.prefix(max(0, count)) {
                if Int32(byte) == SIGHUP {
                    hangup?()
                } else {
                    termination(Int32(byte))
                }
            }
        }
        source.resume()
        return source
    }
}
