#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the small files configuration names (the config itself, the key file) and checks that others are
/// readable, with errno turned into a message that names the path but never the content.
public enum FileAccess {
    /// Why `path` cannot be read as a regular file, or nil when it can. Opens the file but reads nothing.
    static func unreadableReason(_ path: String) -> String? {
        switch openRegularFile(path) {
        case .success(let fd):
            close(fd)
            return nil
        case .failure(let error):
            return error.message
        }
    }

    /// Why a file could not be appended to at `path`, or nil when it can: an existing file must be a writable
    /// regular file, a new one needs an existing directory the process may write in. Creates nothing.
    static func unwritableReason(_ path: String) -> String? {
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else { return "\(path) is not a regular file" }
            return access(path, W_OK) == 0 ? nil : "cannot write \(path): \(String(cString: strerror(errno)))"
        }
        guard errno == ENOENT else { return "cannot use \(path): \(String(cString: strerror(errno)))" }
        let parent = directory(of: path)
        guard stat(parent, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            return "directory \(parent) does not exist"
        }
        guard access(parent, W_OK) == 0 else { return "cannot create files in \(parent): \(String(cString: strerror(errno)))" }
        return nil
    }

    /// `path` with every symbolic link resolved, when it exists.
    static func realPath(_ path: String) -> String? {
        guard let real = realpath(path, nil) else { return nil }
        defer { free(real) }
        return String(cString: real)
    }

    /// The directory a path names its file in: "." for a bare name, "/" for a file at the root.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The whole content of a regular file.
    public static func readAll(_ path: String) -> Result<[UInt8], ConfigValueError> {
        let fd: Int32
        switch openRegularFile(path) {
        case .success(let opened): fd = opened
        case .failure(let error): return .failure(error)
        }
        defer { close(fd) }
        var content: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { return .success(content) }
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(failure(path))
            }
            content.append(contentsOf: chunk[0..<count])
        }
    }

    /// Non-blocking so that a FIFO named by mistake is refused by the type check instead of hanging the open.
    private static func openRegularFile(_ path: String) -> Result<Int32, ConfigValueError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return .failure(failure(path)) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let error = failure(path)
            close(fd)
            return .failure(error)
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return .failure(ConfigValueError("cannot read \(path): not a regular file"))
        }
        return .success(fd)
    }

    private static func failure(_ path: String) -> ConfigValueError {
        ConfigValueError("cannot read \(path): \(String(cString: strerror(errno)))")
    }
}
