import Foundation

/// A throwaway private CA and server certificates it signs, made with the `openssl` command for one test.
struct TestCertificates {
    let directory: String
    /// The CA's certificate (what `upstream.ca_file` names).
    let caCertificate: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pplx-ca-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        caCertificate = directory + "/ca.pem"
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory + "/ca.key", "-out", caCertificate,
            "-days", "1", "-subj", "/CN=pplx-proxy test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        ])
    }

    /// A server certificate and key signed by the CA, for `subjectAltName` (e.g. `IP:127.0.0.1`).
    func server(_ name: String, subjectAltName: String) throws -> (cert: String, key: String) {
        let base = directory + "/" + name
        try "subjectAltName=\(subjectAltName)\n".write(toFile: base + ".ext", atomically: true, encoding: .utf8)
        try Self.openssl([
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=\(name)",
        ])
        try Self.openssl([
            "x509", "-req", "-in", base + ".csr", "-CA", caCertificate, "-CAkey", directory + "/ca.key", "-CAcreateserial",
            "-out", base + ".pem", "-days", "1", "-extfile", base + ".ext",
        ])
        return (base + ".pem", base + ".key")
    }

    /// A certificate signed by nobody the proxy trusts: self-signed.
    func selfSigned(_ name: String) throws -> (cert: String, key: String) {
        let base = directory + "/" + name
        try Self.openssl([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", base + ".key", "-out", base + ".pem", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        return (base + ".pem", base + ".key")
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func openssl(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    }
}
