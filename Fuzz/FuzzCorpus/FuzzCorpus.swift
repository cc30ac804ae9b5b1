#if canImport(Glibc)
    import Glibc
#endif

/// Replays corpus files through a fuzz check without libFuzzer: what the fuzz targets do when built normally, so
/// the seed corpus runs as a plain regression test.
public enum FuzzCorpus {
    /// Runs `check` on every file named in `paths` (a directory means every file in it). Exits 1 when a path
    /// cannot be read.
    public static func replay(_ paths: some Sequence<String>, through check: (UnsafeRawBufferPointer) -> Void) {
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let bytes = read(file) else {
                    print("cannot read \(file)")
                    exit(1)
                }
                bytes.withUnsafeBytes(check)
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }

    private static func files(at path: String) -> [String] {
        guard let directory = opendir(path) else { return [path] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." { names.append(path + "/" + name) }
        }
        return names.sorted()
    }

    private static func read(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}
