#if canImport(Glibc)
    import Glibc
#endif

/// The configured members, looked up by the bearer token a request presents.
public struct MemberDirectory: Sendable {
    /// Every accepted key's hash: each member's `key_hash`, and a rotated-out key until it expires.
    private let members: [(hash: [UInt8], expiresAt: Int?, client: ClientConfig)]

    /// Indexes members by their stored `key_hash` (and `previous_key_hash`).
    public init(_ clients: [ClientConfig]) {
        members = clients.flatMap { client in
            [(Array(client.keyHash.utf8), nil, client)]
                + (client.retiringKey.map { [(Array($0.keyHash.utf8), $0.expiresAt, client)] } ?? [])
        }
    }

    /// Whether no members are configured (then no key is asked for).
    public var isEmpty: Bool { members.isEmpty }

    /// The member whose key is `token`, or nil.
    ///
    /// The token is hashed once and compared with every member's hash in constant time, without stopping at a
    /// match, so response time says nothing about which member (or how many) there are before the one found.
    /// A rotated-out key counts until its expiry (`now`, seconds since the epoch), checked on every request, so it
    /// stops working on time without a reload.
    public func member(forBearer token: String, now: Int = Int(time(nil))) -> ClientConfig? {
        let presented = Array(KeyHash.hash(token).utf8)
        var found: ClientConfig?
        for member in members {
            let equal = KeyHash.constantTimeEqual(presented, member.hash)
            if equal, now < member.expiresAt ?? .max { found = member.client }
        }
        return found
    }
}
