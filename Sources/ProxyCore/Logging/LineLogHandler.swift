import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler that writes one line per message: `TIMESTAMP LEVEL message key=value …`.
///
/// Any occurrence of the secrets it was given (the upstream key) is replaced by `[redacted]` before the line is
/// written, as a last line of defence: no code path should log the key in the first place.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: LogSink

    /// A handler writing to `sink`, redacting `secrets`.
    public init(label: String, level: Logger.Level, sink: LogSink) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = UsageRecord.timestampNow() + " " + event.level.rawValue + " " + event.message.description
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line += " \(key)=\(value)"
        }
        sink.write(line)
    }
}

/// Where log lines go (stderr in the binary, memory in tests), with secret redaction.
public final class LogSink: Sendable {
    private let secrets: Mutex<[String]>
    private let captures: Bool
    private let captured = Mutex<[String]>([])

    /// Writes to stderr.
    public static func standardError() -> LogSink { LogSink(capture: false) }

    /// Keeps lines in memory (tests).
    public static func memory() -> LogSink { LogSink(capture: true) }

    private init(capture: Bool) {
        self.secrets = Mutex([])
        self.captures = capture
    }

    /// Adds a string that must never be written.
    public func redact(_ secret: String) {
        guard secret.count >= 4 else { return }
        secrets.withLock { $0.append(secret) }
    }

    /// Lines written so far (memory sinks only).
    public var lines: [String] { captured.withLock { $0 } }

    func write(_ line: String) {
        let clean = secrets.withLock { list in list.reduce(line) { $0.replacing($1, with: "[redacted]") } }
        if captures {
            captured.withLock { $0.append(clean) }
        } else {
            var text = clean + "\n"
            text.withUTF8 { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                    if n <= 0 { return }
                    offset += n
                }
            }
        }
    }
}
