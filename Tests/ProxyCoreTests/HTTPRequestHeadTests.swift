import Testing

@testable import ProxyCore

@Suite struct HTTPRequestHeadTests {
    private func path(_ target: String) -> String {
        String(HTTPRequestHead(method: "GET", target: target, minorVersion: 1, headers: HTTPHeaders()).path)
    }

    @Test func originForm_pathDropsTheQuery() {
        #expect(path("/v1/models?limit=2") == "/v1/models")
        #expect(path("/healthz") == "/healthz")
    }

    @Test func absoluteForm_isAccepted() {
        #expect(path("http://127.0.0.1:8787/healthz") == "/healthz")
        #expect(path("HTTPS://proxy.example/v1/chat/completions?x=1") == "/v1/chat/completions")
        #expect(path("http://proxy.example") == "/")
        #expect(path("http://") == "http://")
    }

    @Test func hostRules_applyToHTTP11Only() {
        let bare = HTTPRequestHead(method: "GET", target: "/", minorVersion: 1, headers: HTTPHeaders())
        #expect(bare.semanticProblem != nil)
        let old = HTTPRequestHead(method: "GET", target: "/", minorVersion: 0, headers: HTTPHeaders())
        #expect(old.semanticProblem == nil)
        let fine = HTTPRequestHead(method: "GET", target: "/", minorVersion: 1, headers: HTTPHeaders([("host", "x")]))
        #expect(fine.semanticProblem == nil)
    }
}
