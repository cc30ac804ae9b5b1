/// A request admitted under a member's limits; handed back to `MemberLimiter.finish` when the request ends.
public struct MemberAdmission: Sendable {
    /// The member's name.
    public var member: String
    /// Whether the request holds one of the member's concurrent-stream slots.
    public var holdsStreamSlot: Bool
}
