import Logging
import ProxyCore

#if canImport(Glibc)
    import Glibc
#endif

/// Process-wide setup, done once before any loop starts.
enum ProcessSetup {
    /// Ignores SIGPIPE (a vanished client must be an EPIPE, not a dead process) and initialises libcurl.
    static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        CurlGlobal.initialize()
    }

    /// Installs the line log handler at `level` and returns the process logger and its sink.
    static func makeLogger(level: String) -> (Logger, LogSink) {
        let sink = LogSink.standardError()
        let parsed = Logger.Level(rawValue: level) ?? .info
        let logger = Logger(label: "pplx-proxy") { label in LineLogHandler(label: label, level: parsed, sink: sink) }
        return (logger, sink)
    }

    /// Writes one line to stderr.
    static func printError(_ message: String) {
        var text = message + "\n"
        text.withUTF8 { raw in _ = write(STDERR_FILENO, raw.baseAddress, raw.count) }
    }

    /// Writes a message to stderr and exits with `code`.
    static func fail(_ message: String, code: Int32) -> Never {
        printError(message)
        exit(code)
    }
}
