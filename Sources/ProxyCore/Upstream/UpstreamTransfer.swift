import CCurl

#if canImport(Glibc)
    import Glibc
#endif

/// One HTTP exchange with the upstream through a libcurl easy handle on an event loop's multi handle.
///
/// Body bytes go to the delegate as libcurl reads them; the delegate can pause (bounded buffering: libcurl keeps the
/// refused piece and stops reading the socket) or stop the transfer. Confined to the loop. While attached, the
/// multi handle's `transfers` table keeps the transfer alive; libcurl callbacks reach it through an unretained
/// pointer stored as the easy handle's private data.
public final class UpstreamTransfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    private unowned let loop: EventLoop
    /// Held strongly until the transfer ends; every ending clears it, which breaks the delegate's own reference to
    /// the transfer. Not weak: Swift moves the reference count of any object that is a weak reference's target to a
    /// side table, which slows every retain and release of it, and the delegate is touched on every chunk.
    private var delegate: UpstreamTransferDelegate?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var errorBuffer: UnsafeMutablePointer<CChar>
    private var status = 0
    private var headers = HTTPHeaders()
    private var headDelivered = false
    private var inCallback = false
    private var stopRequested = false
    private var paused = false
    private var done = false
    private var released = false
    /// Set by `.discardRest`: the deadline after which the multi handle cancels this transfer.
    private(set) var discardDeadline: UInt64?
    private var discardedBytes = 0
    /// errno of a failed socket(2) for this transfer (EMFILE: the proxy, not the upstream, is out of resources).
    private var socketErrno: Int32 = 0
    /// Cleans the request's secret out of the response (nil when there is none): the one place upstream bytes
    /// enter, so nothing downstream ever sees the key.
    private var scrubber: SecretScrubber?
    private let secret: String?
    /// Where a body piece that needed scrubbing is rewritten (kept for the transfer's life; rarely used).
    private var scrubbed: [UInt8] = []
    /// How long, and how much, a finished response's remainder is read to keep its connection reusable.
    static let discardWindowNs: UInt64 = 2_000_000_000
    static let discardLimitBytes = 256 * 1024
    /// Monotonic time of the last byte received (or of the start).
    public private(set) var lastActivity: UInt64
    /// Whether any response byte (status line) has arrived.
    public private(set) var receivedFirstByte = false

    /// Configures the easy handle; `start()` attaches it.
    public init(request: UpstreamRequest, loop: EventLoop, delegate: UpstreamTransferDelegate) {
        guard let easy = curl_easy_init() else { fatalError("curl_easy_init failed (out of memory)") }
        self.easy = easy
        self.loop = loop
        self.delegate = delegate
        self.errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)
        self.lastActivity = MonotonicClock.nanoseconds()
        self.secret = request.secret
        self.scrubber = SecretScrubber(secret: request.secret)
        configure(request)
    }

    private func configure(_ request: UpstreamRequest) {
        pplx_easy_setopt_string(easy, CURLOPT_URL, request.url)
        pplx_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        pplx_easy_setopt_long(easy, CURLOPT_TCP_NODELAY, 1)
        pplx_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        pplx_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeoutMs)
        if let total = request.totalTimeoutMs { pplx_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, total) }
        pplx_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, StreamRelayLimits.upstreamReadSize)
        pplx_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        // A proxy's CONNECT response must never be mistaken for the upstream's own status line.
        pplx_easy_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        pplx_easy_setopt_share(easy, loop.curlMulti.share)
        pplx_easy_release_tls_buffers(easy)
        // Certificates are always verified (libcurl's default, never changed); only the trusted CAs can be chosen.
        // Trust one bundle file and no CA directory: only then does libcurl keep the parsed store on the loop's
        // multi handle (CURLOPT_CA_CACHE_TIMEOUT, 24 h) rather than parse the ~140 system certificates, about 20 ms
        // of the loop's CPU, for every new upstream connection. A configured ca_file replaces the system's CAs.
        if let caFile = request.caFile ?? CurlGlobal.systemCABundle {
            pplx_easy_setopt_string(easy, CURLOPT_CAINFO, caFile)
            pplx_easy_setopt_string(easy, CURLOPT_CAPATH, nil)
        }
        if let proxy = request.proxy {
            pplx_easy_setopt_string(easy, CURLOPT_PROXY, proxy)
            // An explicit proxy still honours NO_PROXY, as the environment's would.
            if let noProxy = ProcessEnvironment.value("NO_PROXY") ?? ProcessEnvironment.value("no_proxy") {
                pplx_easy_setopt_string(easy, CURLOPT_NOPROXY, noProxy)
            }
        }
        if request.http2 {
            let version = request.url.hasPrefix("http://") ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : CURL_HTTP_VERSION_2TLS
            pplx_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, version)
            // Wait for a multiplexed connection rather than opening a new one per concurrent stream.
            pplx_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1)
        } else {
            // HTTP/1.1 by default: pausing a transfer then stops reading one TCP connection (real backpressure),
            // while libcurl 7.88 pausing one HTTP/2 stream can over-buffer or stall its siblings (curl#10988).
            pplx_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1)
        }
        if request.method == "POST" {
            pplx_easy_setopt_long(easy, CURLOPT_POST, 1)
            // libcurl copies the body (COPYPOSTFIELDS), so no Swift buffer has to stay pinned for the transfer.
            pplx_easy_setopt_off(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            request.body.withUnsafeBytes { raw in
                var empty: UInt8 = 0  // an empty body still needs a valid pointer; the size set above is 0
                if let base = raw.baseAddress {
                    pplx_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                } else {
                    pplx_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, &empty)
                }
            }
        } else if request.method != "GET" {
            pplx_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        // "Expect:" with no value stops curl from waiting for 100 Continue on large bodies.
        for (name, value) in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        pplx_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList)

        let me = Unmanaged.passUnretained(self).toOpaque()
        pplx_easy_setopt_pointer(easy, CURLOPT_PRIVATE, me)
        pplx_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        pplx_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        pplx_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, userdata in
            guard let userdata, let data else { return 0 }
            let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receivedBody(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        pplx_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, userdata in
            guard let userdata, let data else { return 0 }
            let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receivedHeaderLine(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        // Sockets are opened and closed through the multi handle, which outlives every socket, so Dispatch sources
        // are cancelled before their descriptor closes.
        pplx_easy_setopt_pointer(easy, CURLOPT_OPENSOCKETDATA, me)
        pplx_easy_setopt_opensocket_callback(easy) { clientp, _, address in
            guard let clientp, let address else { return PPLX_CURL_SOCKET_BAD }
            let transfer = Unmanaged<UpstreamTransfer>.fromOpaque(clientp).takeUnretainedValue()
            let opened = transfer.loop.curlMulti.openSocket(
                family: address.pointee.family, type: address.pointee.socktype, protocol: address.pointee.protocol)
            if opened.socket == PPLX_CURL_SOCKET_BAD { transfer.socketErrno = opened.errno }
            return opened.socket
        }
        let multi = Unmanaged.passUnretained(loop.curlMulti).toOpaque()
        pplx_easy_setopt_pointer(easy, CURLOPT_CLOSESOCKETDATA, multi)
        pplx_easy_setopt_closesocket_callback(easy) { clientp, socket in
            guard let clientp else { return Glibc.close(socket) }
            Unmanaged<CurlMulti>.fromOpaque(clientp).takeUnretainedValue().closeSocket(socket)
            return 0
        }
    }

    /// Attaches the transfer to the loop's multi handle.
    public func start() {
        loop.curlMulti.add(self)
    }

    /// Resumes a transfer the delegate paused; libcurl re-delivers the refused piece first, synchronously, so the
    /// delegate may finish or cancel inside this call. Call on the loop, never from a libcurl callback.
    public func resume() {
        guard paused, !done else { return }
        paused = false
        lastActivity = MonotonicClock.nanoseconds()
        let code = curl_easy_pause(easy, PPLX_CURLPAUSE_CONT)
        if done {
            // Stopped or cancelled during the re-delivery: libcurl will not report it, so detach it here.
            loop.curlMulti.remove(self)
        } else if code != CURLE_OK {
            let delegate = self.delegate
            let failure = self.failure(for: code)
            done = true
            self.delegate = nil
            loop.curlMulti.remove(self)
            delegate?.upstreamDidComplete(.failed(failure))
        } else {
            loop.curlMulti.collectCompletions()
        }
    }

    /// Counts as upstream activity (a paused transfer is silent because of us, not the upstream).
    public func noteActivity() {
        lastActivity = MonotonicClock.nanoseconds()
    }

    /// Abandons the transfer: no more delegate calls. Safe to call from a delegate callback.
    public func cancel() {
        guard !done else { return }
        done = true
        delegate = nil
        if inCallback {
            stopRequested = true
        } else {
            loop.curlMulti.remove(self)
        }
    }

    // MARK: libcurl callbacks

    private func receivedHeaderLine(_ line: UnsafeRawBufferPointer) -> Int {
        if stopRequested { return 0 }
        receivedFirstByte = true
        lastActivity = MonotonicClock.nanoseconds()
        if line.starts(with: "HTTP/".utf8) {
            // A new header block (after a 1xx, or a redirect's): the status itself is read from libcurl below.
            headers = HTTPHeaders()
            return line.count
        }
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        if end == 0 {
            var code = 0
            pplx_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &code)
            status = code
            if status >= 200 && !headDelivered {
                headDelivered = true
                inCallback = true
                delegate?.upstreamDidReceiveHead(status: status, headers: headers)
                inCallback = false
                if stopRequested { return 0 }
            }
            return line.count
        }
        let field = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if var lineScrubber = scrubber {
            var cleaned: [UInt8] = []
            if lineScrubber.scrub(field, into: &cleaned) {
                headers.addField(line: field)
            } else {
                cleaned.append(contentsOf: lineScrubber.finish())
                cleaned.withUnsafeBytes { headers.addField(line: $0) }
            }
        } else {
            headers.addField(line: field)
        }
        return line.count
    }

    private func receivedBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if stopRequested { return 0 }
        if discardDeadline != nil {
            discardedBytes += bytes.count
            return discardedBytes <= Self.discardLimitBytes ? bytes.count : 0
        }
        lastActivity = MonotonicClock.nanoseconds()
        guard let delegate else { return 0 }
        let disposition: UpstreamDataDisposition
        if var pieceScrubber = scrubber {
            scrubbed.removeAll(keepingCapacity: true)
            if pieceScrubber.scrub(bytes, into: &scrubbed) {
                disposition = deliver(bytes, to: delegate)
            } else if scrubbed.isEmpty {
                disposition = .accepted
            } else {
                disposition = scrubbed.withUnsafeBytes { deliver($0, to: delegate) }
            }
            // A paused piece comes back whole on resume: only a piece taken moves the scrubber on.
            if disposition != .pause { scrubber = pieceScrubber }
        } else {
            disposition = deliver(bytes, to: delegate)
        }
        if stopRequested { return 0 }
        switch disposition {
        case .accepted:
            return bytes.count
        case .pause:
            paused = true
            return PPLX_CURL_WRITEFUNC_PAUSE
        case .stop:
            // Returning a short count makes libcurl abort with CURLE_WRITE_ERROR; the completion is swallowed.
            done = true
            self.delegate = nil
            return 0
        case .discardRest:
            done = true
            self.delegate = nil
            discardDeadline = MonotonicClock.nanoseconds() &+ Self.discardWindowNs
            loop.curlMulti.watchDiscarding(self)
            return bytes.count
        }
    }

    private func deliver(_ bytes: UnsafeRawBufferPointer, to delegate: UpstreamTransferDelegate) -> UpstreamDataDisposition {
        inCallback = true
        defer { inCallback = false }
        return delegate.upstreamDidReceive(bytes)
    }

    // MARK: Completion (called by CurlMulti)

    func finished(_ code: CURLcode) {
        let delegate = self.delegate
        let wasDone = done
        done = true
        self.delegate = nil
        let outcome: UpstreamOutcome = code == CURLE_OK ? .finished : .failed(failure(for: code))
        release()
        guard !wasDone, let delegate else { return }
        if outcome == .finished, let tail = scrubber?.finish(), !tail.isEmpty {
            // Bytes held back as a possible start of the secret that the body ended before completing.
            tail.withUnsafeBytes { delegate.upstreamDidReceiveLast($0) }
        }
        delegate.upstreamDidComplete(outcome)
    }

    private func failure(for code: CURLcode) -> UpstreamFailure {
        let said = errorBuffer.pointee != 0 ? String(cString: errorBuffer) : String(cString: curl_easy_strerror(code))
        let detail = SecretScrubber.scrub(said, secret: secret)
        if socketErrno == EMFILE || socketErrno == ENFILE || socketErrno == ENOBUFS || socketErrno == ENOMEM {
            return .localResourcesExhausted
        }
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY:
            return .unreachable(detail)
        case CURLE_OPERATION_TIMEDOUT:
            return receivedFirstByte ? .idleTimeout : .connectTimeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
            CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR:
            return .tls(detail)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            return headDelivered ? .truncated : .protocolError(detail)
        default:
            return .protocolError(detail)
        }
    }

    /// Frees the easy handle, header list and error buffer. Called once, after detaching from the multi handle.
    func release() {
        guard !released else { return }
        released = true
        delegate = nil
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
        headerList = nil
        errorBuffer.deallocate()
    }
}
