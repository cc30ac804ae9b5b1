import CCurl
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// libcurl's multi interface driven by one event loop: curl tells us which sockets to watch and when to wake it
/// (`CURLMOPT_SOCKETFUNCTION`, `CURLMOPT_TIMERFUNCTION`); the loop's `SocketReactor` and a `ReactorTimer` call
/// `curl_multi_socket_action` back. Connections to the upstream are pooled and reused.
///
/// Confined to the loop. Lives as long as the process (one per loop), so callbacks reach it through an unretained
/// pointer.
final class CurlMulti: LoopSweepable, SocketEventHandler, @unchecked Sendable {
    unowned let loop: EventLoop
    let handle: UnsafeMutableRawPointer
    /// TLS sessions and DNS answers shared by this loop's transfers: a new upstream TLS connection resumes a session
    /// (no certificate check, one round trip less) instead of a full handshake.
    let share: UnsafeMutableRawPointer?
    private var timer: ReactorTimer?
    private var immediateActionQueued = false
    private var closed = false
    /// Transfers attached to the multi handle, keyed by their easy handle. This dictionary keeps them alive.
    private var transfers: [UnsafeMutableRawPointer: UpstreamTransfer] = [:]
    /// Sockets libcurl opened and will close through `openSocket` / `closeSocket`. Only these are parked between
    /// transfers: libcurl closes others (its resolver's socketpair) itself, and a parked registration must never
    /// outlive its descriptor.
    private var ownSockets = Set<Int32>()
    /// Finished transfers reading their remainder (`.discardRest`), checked against their deadline on each sweep.
    private var discarding: [UpstreamTransfer] = []

    init(loop: EventLoop) {
        self.loop = loop
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init failed (out of memory)") }
        self.handle = handle
        self.share = pplx_share_for_loop()
        let me = Unmanaged.passUnretained(self).toOpaque()
        pplx_multi_setopt_pointer(handle, CURLMOPT_SOCKETDATA, me)
        pplx_multi_setopt_pointer(handle, CURLMOPT_TIMERDATA, me)
        pplx_multi_setopt_socket_callback(handle) { _, socket, what, userp, _ in
            guard let userp else { return 0 }
            Unmanaged<CurlMulti>.fromOpaque(userp).takeUnretainedValue().watch(socket, what: what)
            return 0
        }
        pplx_multi_setopt_timer_callback(handle) { _, timeoutMs, userp in
            guard let userp else { return 0 }
            Unmanaged<CurlMulti>.fromOpaque(userp).takeUnretainedValue().scheduleTimer(milliseconds: timeoutMs)
            return 0
        }
        timer = ReactorTimer(reactor: loop.reactor) { [unowned self] in
            self.socketAction(PPLX_CURL_SOCKET_TIMEOUT, 0)
        }
    }

    /// Sets how many idle connections libcurl keeps for reuse (`CURLMOPT_MAXCONNECTS`).
    func setConnectionCacheSize(_ size: Int) {
        pplx_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, max(1, size))
    }

    /// Attaches a configured easy handle; curl starts it on the next socket action.
    func add(_ transfer: UpstreamTransfer) {
        transfers[transfer.easy] = transfer
        let code = curl_multi_add_handle(handle, transfer.easy)
        if code != CURLM_OK {
            transfers.removeValue(forKey: transfer.easy)
            transfer.finished(CURLE_FAILED_INIT)
        }
    }

    /// Cancels `transfer` once its discard window ends, unless the upstream finishes the body first.
    func watchDiscarding(_ transfer: UpstreamTransfer) {
        discarding.append(transfer)
        loop.register(self)
    }

    /// Detaches a transfer without a completion callback (cancelled, or stopped by its delegate).
    /// Must not be called from inside a libcurl callback.
    func remove(_ transfer: UpstreamTransfer) {
        // By identity: a finished transfer's freed easy handle address may already belong to a new transfer.
        guard transfers[transfer.easy] === transfer else { return }
        transfers.removeValue(forKey: transfer.easy)
        curl_multi_remove_handle(handle, transfer.easy)
        transfer.release()
    }

    /// Detaches every transfer, closes the multi handle (libcurl closes its pooled sockets through
    /// `closeSocket`), and closes the timer.
    func close() {
        guard !closed else { return }
        closed = true
        for transfer in transfers.values {
            curl_multi_remove_handle(handle, transfer.easy)
            transfer.release()
        }
        transfers.removeAll()
        curl_multi_cleanup(handle)
        // After every easy handle that used it is gone.
        if let share { curl_share_cleanup(share) }
        timer?.close()
        timer = nil
    }

    // MARK: Callbacks from libcurl

    private func watch(_ socket: curl_socket_t, what: Int32) {
        switch what {
        case PPLX_CURL_POLL_IN: loop.reactor.watch(socket, handler: self, read: true, write: false)
        case PPLX_CURL_POLL_OUT: loop.reactor.watch(socket, handler: self, read: false, write: true)
        case PPLX_CURL_POLL_INOUT: loop.reactor.watch(socket, handler: self, read: true, write: true)
        default:
            if ownSockets.contains(socket) {
                loop.reactor.park(socket)
            } else {
                loop.reactor.remove(socket)
            }
        }
    }

    func socketReadable(_ fd: Int32, error: Bool) {
        socketAction(fd, error ? PPLX_CURL_CSELECT_IN | PPLX_CURL_CSELECT_ERR : PPLX_CURL_CSELECT_IN)
    }

    func socketWritable(_ fd: Int32) {
        socketAction(fd, PPLX_CURL_CSELECT_OUT)
    }

    /// curl's OPENSOCKETFUNCTION. On failure the errno is returned too, so running out of descriptors can be told
    /// apart from an unreachable upstream.
    func openSocket(family: Int32, type: Int32, protocol: Int32) -> (socket: curl_socket_t, errno: Int32) {
        let fd = Glibc.socket(family, type | Int32(SOCK_CLOEXEC.rawValue), `protocol`)
        guard fd >= 0 else { return (PPLX_CURL_SOCKET_BAD, errno) }
        // A new descriptor: whatever the reactor remembers under this number belonged to a closed one.
        loop.reactor.forget(fd)
        ownSockets.insert(fd)
        return (fd, 0)
    }

    /// curl's CLOSESOCKETFUNCTION: forgotten by the reactor, then closed (which takes it out of the epoll set).
    func closeSocket(_ socket: curl_socket_t) {
        ownSockets.remove(socket)
        loop.reactor.forget(socket)
        Glibc.close(socket)
    }

    private func scheduleTimer(milliseconds: Int) {
        if milliseconds == 0 {
            // "Call me now" (e.g. after every curl_multi_add_handle): deferred work on the running loop costs no
            // system call at all.
            timer?.disarm()
            guard !immediateActionQueued else { return }
            immediateActionQueued = true
            loop.runSoon { [unowned self] in
                immediateActionQueued = false
                socketAction(PPLX_CURL_SOCKET_TIMEOUT, 0)
            }
            return
        }
        if milliseconds < 0 {
            timer?.disarm()
        } else {
            timer?.arm(milliseconds: milliseconds)
        }
    }

    // MARK: Driving

    private func socketAction(_ socket: curl_socket_t, _ flags: Int32) {
        guard !closed else { return }
        var running: Int32 = 0
        curl_multi_socket_action(handle, socket, flags, &running)
        collectCompletions()
    }

    /// Hands finished transfers to their delegates. Transfers that were only discarding their remainder end
    /// here without a callback: their body ended in time and the connection went back to the pool.
    func collectCompletions() {
        var pending: Int32 = 0
        while let message = curl_multi_info_read(handle, &pending) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = pplx_msg_result(message)
            guard let transfer = transfers.removeValue(forKey: easy) else { continue }
            curl_multi_remove_handle(handle, easy)
            transfer.finished(result)
        }
    }

    /// Cancels discarding transfers whose window ended (an upstream holding its socket open after the last event).
    func sweep(now: UInt64) {
        discarding.removeAll { transfer in
            guard transfers[transfer.easy] === transfer else { return true }
            guard let deadline = transfer.discardDeadline, now >= deadline else { return false }
            remove(transfer)
            return true
        }
        if discarding.isEmpty { loop.unregister(self) }
    }
}
