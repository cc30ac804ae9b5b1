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
    private let onProblem: (String) -> Void
    private let fd: Int32
    private var source: DispatchSourceRead?
    private var pending = false
    private var lastSeen: [UInt8]?

    /// Starts watching `path`; `onChange` runs on `queue`. `loaded` is the content the running configuration was
    /// read from: a change made between that read and now is applied at once. Nil when inotify is unavailable (SIGHUP
    /// still works); `onProblem` hears why.
    public init?(
        path: String, loaded: [UInt8]?, queue: DispatchQueue, onProblem: @escaping (String) -> Void, onChange: @escaping () -> Void
    ) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            onProblem("cannot watch \(path) for changes (inotify: \(String(cString: strerror(errno)))); reload with SIGHUP")
            return nil
        }
        // The directory of the name, and of the file a symbolic link names: `pplx-proxy keys` replaces the latter.
        var directories = [FileAccess.directory(of: path)]
        if let real = FileAccess.realPath(path), FileAccess.directory(of: real) != directories[0] {
            directories.append(FileAccess.directory(of: real))
        }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_ATTRIB)
        for directory in directories where inotify_add_watch(fd, directory, mask) < 0 {
            onProblem("cannot watch \(directory) for changes (inotify: \(String(cString: strerror(errno)))); reload with SIGHUP")
            close(fd)
            return nil
        }
        self.path = path
        self.queue = queue
        self.onChange = onChange
        self.onProblem = onProblem
        self.fd = fd
        lastSeen = loaded
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { [weak self] in self?.drain() }
        source.setCancelHandler { close(fd) }
        source.resume()
        self.source = source
        queue.async { [weak self] in self?.check() }
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
            check()
        }
    }

    /// Runs `onChange` when the file's bytes differ from the last ones seen.
    private func check() {
        switch FileAccess.readAll(path) {
        case .failure(let error):
            onProblem("cannot read \(path) after a change: \(error.message)")
        case .success(let content):
            guard content != lastSeen else { return }
            lastSeen = content
            onChange()
        }
    }
}
