import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Notices when the config file changes, so `pplx-proxy keys` (or an editor, or Kubernetes updating a ConfigMap)
/// takes effect without a SIGHUP: inotify on the file's directory, because such writers replace the file by rename
/// (or swap a `..data` symlink) rather than write into it.
///
/// Events are only a hint: once a burst settles (100 ms), the file is read and `onChange` runs only when its bytes
/// differ from the last ones seen, so unrelated files in the directory cost a read and nothing more.
public final class ConfigWatcher: @unchecked Sendable {
    private let path: String
    private let queue: DispatchQueue
    private let onChange: () -> Void
    private let fd: Int32
    private var source: DispatchSourceRead?
    private var pending = false
    private var lastSeen: [UInt8]?

    /// Starts watching `path`; `onChange` runs on `queue`. Nil when inotify is unavailable (SIGHUP still works).
    public init?(path: String, queue: DispatchQueue, onChange: @escaping () -> Void) {
        let directory = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            close(fd)
            return nil
        }
        self.path = path
        self.queue = queue
        self.onChange = onChange
        self.fd = fd
        lastSeen = try? FileAccess.readAll(path).get()
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.setCancelHandler { close(fd) }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
    }

    /// Reads the queued events (only their arrival matters) and checks the file once they settle.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
        guard !pending else { return }
        pending = true
        queue.asyncAfter(deadline: .now() + .milliseconds(100)) { [weak self] in
            guard let self else { return }
            pending = false
            guard let content = try? FileAccess.readAll(path).get(), content != lastSeen else { return }
            lastSeen = content
            onChange()
        }
    }
}
