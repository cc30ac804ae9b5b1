import CHiredis
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// One event loop's connection to Redis: hiredis's async client with its socket on the loop's epoll reactor, so a
/// Redis call never blocks the loop or takes a thread.
///
/// Loop-confined. Every command gets an answer exactly once: Redis's reply, or `.failure` when the connection is
/// down, drops, or does not answer within `timeoutMs` (then the connection is closed, so no later reply can be
/// mistaken for another command's, and reopened on the next command, at most once a second).
final class RedisConnection: SocketEventHandler {
    private let loop: EventLoop
    private let config: RedisConfig
    private var context: UnsafeMutablePointer<redisAsyncContext>?
    private var fd: Int32 = -1
    private var watchRead = false
    private var watchWrite = false
    private var pending: [Int: (RedisReply) -> Void] = [:]
    private var nextID = 1
    private var lastAttemptNs: UInt64 = 0
    private var resolving = false
    private var queued: [(args: [String], completion: (RedisReply) -> Void)] = []
    /// Called with a description whenever the connection fails (for the log and `pplx_redis_errors_total`).
    var onError: ((String) -> Void)?

    init(loop: EventLoop, config: RedisConfig) {
        self.loop = loop
        self.config = config
    }

    /// Sends `args` as one command; `completion` runs on the loop with the reply.
    func send(_ args: [String], _ completion: @escaping (RedisReply) -> Void) {
        loop.assertInLoop()
        guard let context else {
            connectThenSend(args, completion)
            return
        }
        let id = nextID
        nextID &+= 1
        pending[id] = completion
        let status = Self.command(context, args, id: id)
        guard status == REDIS_OK else {
            pending[id] = nil
            completion(.failure("redis: cannot queue a command"))
            return
        }
        let timeout = config.timeoutMs
        let me = LoopBound(self, loop: loop)
        loop.execute(afterMilliseconds: timeout) {
            let connection = me.value
            guard let late = connection.pending.removeValue(forKey: id) else { return }
            late(.failure("redis: no answer within \(timeout) ms"))
            connection.fail("no answer within \(timeout) ms")
        }
    }

    // MARK: - Connecting

    private func connectThenSend(_ args: [String], _ completion: @escaping (RedisReply) -> Void) {
        queued.append((args, completion))
        guard !resolving else { return }
        let now = MonotonicClock.nanoseconds()
        guard lastAttemptNs == 0 || now &- lastAttemptNs >= 1_000_000_000 else {
            flushQueued(.failure("redis: unreachable (retrying at most once a second)"))
            return
        }
        lastAttemptNs = now
        resolving = true
        // getaddrinfo blocks (DNS): resolve off the loop, connect on it.
        let host = config.host
        let port = config.port
        let loop = self.loop
        let me = LoopBound(self, loop: loop)
        DispatchQueue.global().async {
            let address = Self.resolve(host)
            loop.execute {
                let connection = me.value
                connection.resolving = false
                guard let address else {
                    connection.fail("cannot resolve \(host)")
                    connection.flushQueued(.failure("redis: cannot resolve \(host)"))
                    return
                }
                connection.open(address, port: port)
            }
        }
    }

    private func open(_ address: String, port: Int) {
        guard let context = redisAsyncConnect(address, Int32(port)), context.pointee.err == 0 else {
            fail("cannot connect to \(config.host):\(config.port)")
            flushQueued(.failure("redis: cannot connect"))
            return
        }
        self.context = context
        fd = context.pointee.c.fd
        let me = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.data = me
        context.pointee.ev.data = me
        context.pointee.ev.addRead = { data in RedisConnection.from(data)?.setWatch(read: true) }
        context.pointee.ev.delRead = { data in RedisConnection.from(data)?.setWatch(read: false) }
        context.pointee.ev.addWrite = { data in RedisConnection.from(data)?.setWatch(write: true) }
        context.pointee.ev.delWrite = { data in RedisConnection.from(data)?.setWatch(write: false) }
        context.pointee.ev.cleanup = { data in RedisConnection.from(data)?.detach() }
        redisAsyncSetDisconnectCallback(context) { context, _ in
            guard let context, let connection = RedisConnection.from(context.pointee.data) else { return }
            connection.context = nil
            connection.fail("connection closed")
        }
        var setup: [[String]] = []
        if let password = config.password { setup.append(["AUTH", password]) }
        if config.database != 0 { setup.append(["SELECT", String(config.database)]) }
        for args in setup {
            send(args) { [weak self] reply in
                if case .error(let message) = reply { self?.fail("setup refused: \(message.prefix(80))") }
            }
        }
        let waiting = queued
        queued = []
        for entry in waiting { send(entry.args, entry.completion) }
    }

    private func flushQueued(_ reply: RedisReply) {
        let waiting = queued
        queued = []
        for entry in waiting { entry.completion(reply) }
    }

    /// Closes the connection after a failure; commands still waiting get `.failure`.
    private func fail(_ reason: String) {
        onError?(reason)
        if let context {
            self.context = nil
            // Calls every pending callback with no reply, then `cleanup`, then closes the socket.
            redisAsyncFree(context)
        }
        let waiting = pending
        pending = [:]
        for (_, completion) in waiting { completion(.failure("redis: \(reason)")) }
    }

    // MARK: - hiredis hooks

    private static func from(_ data: UnsafeMutableRawPointer?) -> RedisConnection? {
        data.map { Unmanaged<RedisConnection>.fromOpaque($0).takeUnretainedValue() }
    }

    private func setWatch(read: Bool? = nil, write: Bool? = nil) {
        if let read { watchRead = read }
        if let write { watchWrite = write }
        guard fd >= 0 else { return }
        loop.reactor.watch(fd, handler: self, read: watchRead, write: watchWrite)
    }

    private func detach() {
        if fd >= 0 { loop.reactor.remove(fd) }
        fd = -1
        watchRead = false
        watchWrite = false
    }

    func socketReadable(_ fd: Int32, error: Bool) {
        guard let context else { return }
        redisAsyncHandleRead(context)
    }

    func socketWritable(_ fd: Int32) {
        guard let context else { return }
        redisAsyncHandleWrite(context)
    }

    private func complete(_ id: Int, _ reply: RedisReply) {
        pending.removeValue(forKey: id)?(reply)
    }

    private static func command(_ context: UnsafeMutablePointer<redisAsyncContext>, _ args: [String], id: Int) -> Int32 {
        let buffers = args.map { Array($0.utf8) }
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        let copies = buffers.map { bytes -> UnsafeMutablePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(copy).copyMemory(from: base, byteCount: bytes.count) }
            }
            return copy
        }
        defer { copies.forEach { $0.deallocate() } }
        for (copy, bytes) in zip(copies, buffers) {
            pointers.append(UnsafePointer(copy))
            lengths.append(bytes.count)
        }
        return pointers.withUnsafeMutableBufferPointer { argv in
            lengths.withUnsafeBufferPointer { argvlen in
                redisAsyncCommandArgv(
                    context,
                    { context, reply, privdata in
                        guard let context, let connection = RedisConnection.from(context.pointee.data) else { return }
                        let id = Int(bitPattern: privdata)
                        let parsed = reply.map { RedisReply($0.assumingMemoryBound(to: redisReply.self)) }
                        connection.complete(id, parsed ?? .failure("redis: connection lost"))
                    }, UnsafeMutableRawPointer(bitPattern: id), Int32(args.count), argv.baseAddress, argvlen.baseAddress)
            }
        }
    }

    /// The first IPv4 or IPv6 address of `host`, as text.
    private static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return nil }
        defer { freeaddrinfo(result) }
        var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        guard getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0
        else { return nil }
        return String(cString: buffer)
    }
}
