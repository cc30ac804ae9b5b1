import CFuzzerDriver
import FuzzCorpus
import ProxyCore

/// libFuzzer target for the HTTP/1.1 request parser: whatever bytes arrive, in whatever pieces, the parser never
/// traps, and cutting the input in two changes nothing it reports.
///
/// Built with `-sanitize=fuzzer -DFUZZING` (`make fuzz`), this file exports libFuzzer's entry point; built
/// normally, it is a command that replays corpus files through the same check.
enum HTTPRequestParserFuzzer {
    static func check(_ data: UnsafeRawBufferPointer) {
        guard !data.isEmpty else { return }
        let limits = HTTPParserLimits(maxHeaderBytes: 1024, maxBodyBytes: 4096)
        let cut = Int(data[0]) % data.count
        let whole = outcomes([data], limits: limits)
        let split = outcomes(
            [UnsafeRawBufferPointer(rebasing: data[..<cut]), UnsafeRawBufferPointer(rebasing: data[cut...])], limits: limits)
        precondition(whole == split, "cutting the input at \(cut) changed the outcome")
    }

    /// What a connection would see: each request (as text) or the failure, in order.
    private static func outcomes(_ pieces: [UnsafeRawBufferPointer], limits: HTTPParserLimits) -> [String] {
        var parser = HTTPRequestParser(limits: limits)
        var buffer = InputBuffer()
        var seen: [String] = []
        for piece in pieces {
            buffer.append(piece)
            while true {
                switch parser.parse(&buffer) {
                case .needMore:
                    if let head = parser.headAwaitingBody { _ = head.semanticProblem }
                case .request(let request):
                    precondition(request.body.count <= limits.maxBodyBytes, "a body over the limit was accepted")
                    seen.append("\(request.method) \(request.path) \(request.minorVersion) \(request.headers.fields.count) \(request.body)")
                    continue
                case .failure(let failure):
                    seen.append("failure \(failure.status)")
                    return seen
                }
                break
            }
        }
        return seen
    }
}

#if FUZZING
    /// SwiftPM links an executable's entry point as `HTTPRequestParserFuzzer_main`; under libFuzzer it runs libFuzzer's driver.
    @_cdecl("HTTPRequestParserFuzzer_main")
    func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
            HTTPRequestParserFuzzer.check(UnsafeRawBufferPointer(start: data, count: size))
            return 0
        }
    }
#else
    @main
    struct ReplayCorpus {
        static func main() {
            FuzzCorpus.replay(CommandLine.arguments.dropFirst(), through: HTTPRequestParserFuzzer.check)
        }
    }
#endif
