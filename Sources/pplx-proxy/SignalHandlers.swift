import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Dispatch signal sources for SIGTERM/SIGINT and SIGHUP (the default actions are disabled first).
enum SignalHandlers {
    /// Calls `handler` on the main queue when SIGTERM or SIGINT arrives. Keep the returned sources alive.
    static func onTermination(_ handler: @escaping (Int32) -> Void) -> [DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .main)
            source.setEventHandler { handler(signalNumber) }
            source.resume()
            return source
        }
    }

    /// Calls `handler` on the main queue when SIGHUP arrives. Keep the returned source alive.
    static func onHangup(_ handler: @escaping () -> Void) -> DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .main)
        source.setEventHandler(handler: handler)
        source.resume()
        return source
    }
}
