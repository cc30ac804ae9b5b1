#if canImport(Glibc)
    import Glibc
#endif

/// Replaces a file's content all at once: a reader (the running proxy, an editor) sees the old file or the new one,
/// never a half-written one. The new content goes to a temporary file beside it, takes the old file's mode and
/// owner, is flushed to disk and renamed over the old name; then the directory is flushed so the rename survives a
/// crash. A symbolic link is followed: the file it names is replaced, the link stays.
public enum AtomicFileWriter {
    /// Holds an exclusive lock on the directory of `path` while `body` runs, so two `pplx-proxy keys` commands on
    /// the same file do not lose each other's edits.
    public static func withDirectoryLock<T>(for path: String, _ body: () throws -> T) throws -> T {
        let directory = FileAccess.directory(of: (FileAccess.realPath(path) ?? path))
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ConfigValueError("cannot open \(directory): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw ConfigValueError("cannot lock \(directory): \(String(cString: strerror(errno)))") }
        }
        return try body()
    }

    /// Writes `bytes` as the new content of `path` (created with mode 0600 if it does not exist).
    public static func replace(_ path: String, with bytes: [UInt8]) throws(ConfigValueError) {
        let target = (FileAccess.realPath(path) ?? path)
        var info = stat()
        let exists = stat(target, &info) == 0
        let mode = exists ? info.st_mode & 0o7777 : 0o600
        let temporary =
            FileAccess.directory(of: target) + "/." + baseName(target) + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("create \(temporary)") }
        var written = 0
        var problem: ConfigValueError?
        // The umask may have narrowed the mode. The owner is kept where the caller may (root editing a service's
        // file); the group must be kept, since a service commonly reads its config through it.
        if fchmod(fd, mode) != 0 { problem = failure("chmod \(temporary)") }
        if exists, fchown(fd, info.st_uid, info.st_gid) != 0, fchown(fd, uid_t.max, info.st_gid) != 0 {
            // Not root and not in the file's group: the new file would lose the group the service reads it by.
            problem = ConfigValueError(
                "cannot keep \(target)'s group (gid \(info.st_gid)), so the service might no longer read it; run this as "
                    + "root or as a member of that group")
        }
        while problem == nil, written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { problem = failure("write \(temporary)") } else { written += count }
        }
        if problem == nil, fsync(fd) != 0 { problem = failure("flush \(temporary)") }
        close(fd)
        if problem == nil, rename(temporary, target) != 0 { problem = failure("rename \(temporary) to \(target)") }
        if let problem {
            unlink(temporary)
            throw problem
        }
        let directory = open(FileAccess.directory(of: target), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }

    private static func baseName(_ path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }

    private static func failure(_ what: String) -> ConfigValueError {
        ConfigValueError("cannot \(what): \(String(cString: strerror(errno)))")
    }
}
