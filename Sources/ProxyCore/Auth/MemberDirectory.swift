/// The configured members, looked up by the bearer token a request presents.
public struct MemberDirectory: Sendable {
    private let members: [(hash: [UInt8], client: ClientConfig)]

    /// Indexes members by their stored `key_hash`.
    public init(_ clients: [ClientConfig]) {
        members = clients.map { (Array($0.keyHash.utf8), $0) }
    }

    /// Whether no members are configured (then no key is asked for).
    public var isEmpty: Bool { members.isEmpty }

    /// The member whose key is `token`, or nil.
    ///
    /// The token is hashed once and compared with every member's hash in constant time, without stopping at a
    /// match, so response time says nothing about which member (or how many) there are before the one found.
    public func member(forBearer token: String) -> ClientConfig? {
        let presented = Array(KeyHash.hash(token).utf8)
        var found: ClientConfig?
        for member in members {
            let equal = KeyHash.constantTimeEqual(presented, member.hash)
            if equal { found = member.client }
        }
        return found
    }
}
