import Testing

@testable import ProxyCore

@Suite struct KeyHashTests {
    @Test func hash_isSha256PrefixedLowercaseHex() {
        #expect(KeyHash.hash("abc") == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(KeyHash.hash("") == "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hash_ofTheExampleKeys_isWhatTheExampleConfigStores() {
        #expect(
            KeyHash.hash("sk-team-alice-example")
                == "sha256:1fb7e1fdb017f1e8dba74dfce34ad860afe0221ec89ea97df5c20a537908bced")
        #expect(
            KeyHash.hash("sk-team-bob-example")
                == "sha256:bb0f4905a518e3849ad82d93036c3599569f795cee338494b1e92d812b90d058")
    }

    @Test func matches_onlyTheExactKey() {
        let stored = KeyHash.hash("sk-right")
        #expect(KeyHash.matches("sk-right", storedHash: stored))
        #expect(!KeyHash.matches("sk-wrong", storedHash: stored))
        #expect(!KeyHash.matches("sk-right ", storedHash: stored))
        #expect(!KeyHash.matches("sk-right", storedHash: stored.uppercased()))
        #expect(!KeyHash.matches("sk-right", storedHash: String(stored.dropLast())))
        #expect(!KeyHash.matches("sk-right", storedHash: ""))
    }

    @Test func constantTimeEqual_comparesWholeBuffers() {
        #expect(KeyHash.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!KeyHash.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!KeyHash.constantTimeEqual([0, 2, 3], [1, 2, 3]))
        #expect(!KeyHash.constantTimeEqual([1, 2], [1, 2, 3]))
        #expect(KeyHash.constantTimeEqual([], []))
    }

    @Test func keyFromInput_dropsTheNewlineAndSurroundingWhitespace() {
        #expect(KeyHash.key(fromInput: "sk-abc\n") == "sk-abc")
        #expect(KeyHash.key(fromInput: "  sk-abc \r\n") == "sk-abc")
        #expect(KeyHash.key(fromInput: "sk a\tb") == "sk a\tb")
        #expect(KeyHash.key(fromInput: " \n") == "")
    }

    @Test func isWellFormed_acceptsOnlyTheStoredForm() {
        #expect(KeyHash.isWellFormed(KeyHash.hash("x")))
        #expect(!KeyHash.isWellFormed(KeyHash.hash("x").uppercased()))
        #expect(!KeyHash.isWellFormed("sha256:" + String(repeating: "g", count: 64)))
        #expect(!KeyHash.isWellFormed("sha256:" + String(repeating: "a", count: 63)))
        #expect(!KeyHash.isWellFormed("sha256:" + String(repeating: "a", count: 65)))
        #expect(!KeyHash.isWellFormed(String(repeating: "a", count: 64)))
    }

    @Test func memberDirectory_findsTheMemberWhoseKeyHashesToTheStoredHash() {
        let members = [
            ClientConfig(name: "alice", keyHash: KeyHash.hash("sk-alice")),
            ClientConfig(name: "bob", keyHash: KeyHash.hash("sk-bob"), models: ["sonar"]),
            ClientConfig(name: "carol", keyHash: KeyHash.hash("sk-carol")),
        ]
        let directory = MemberDirectory(members)
        #expect(!directory.isEmpty)
        #expect(directory.member(forBearer: "sk-alice")?.name == "alice")
        #expect(directory.member(forBearer: "sk-bob") == members[1])
        #expect(directory.member(forBearer: "sk-carol")?.name == "carol")
        #expect(directory.member(forBearer: "sk-dave") == nil)
        #expect(directory.member(forBearer: "") == nil)
        #expect(directory.member(forBearer: members[0].keyHash) == nil)
    }

    @Test func memberDirectory_withoutMembers_isEmptyAndMatchesNothing() {
        let directory = MemberDirectory([])
        #expect(directory.isEmpty)
        #expect(directory.member(forBearer: "anything") == nil)
    }

    @Test func clientConfig_allowsListedModelsOrAllWhenUnrestricted() {
        #expect(ClientConfig(name: "a", keyHash: "h").allows(model: "anything"))
        #expect(ClientConfig(name: "a", keyHash: "h", models: ["sonar"]).allows(model: "sonar"))
        #expect(!ClientConfig(name: "a", keyHash: "h", models: ["sonar"]).allows(model: "sonar-pro"))
    }
}
