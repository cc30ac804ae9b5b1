/// `GET /dashboard`: one self-contained HTML page (`dashboard.html`, embedded in the binary) that asks for an admin
/// key and draws `/admin/usage`. It holds no data, so it needs no key; its Content-Security-Policy lets it run
/// only its own inline script and talk only to this proxy.
enum DashboardPage {
    static func response() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/html; charset=utf-8")
        headers.add("Cache-Control", "no-cache")
        headers.add("X-Content-Type-Options", "nosniff")
        headers.add("Referrer-Policy", "no-referrer")
        headers.add(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; "
                + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        return HTTPResponse(status: 200, headers: headers, body: PackageResources.dashboard_html)
    }
}
