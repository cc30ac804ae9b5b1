import Testing

@testable import ProxyCore

/// `pplx-proxy keys` edits the file people also edit by hand: everything but the edited member stays byte for byte.
@Suite struct ConfigFileEditorTests {
    private let hash = "sha256:" + String(repeating: "c", count: 64)

    private func edited(_ text: String, _ change: (inout ConfigFileEditor) throws(ConfigFileEditor.EditError) -> Void) throws -> String {
        var editor = ConfigFileEditor(text: Array(text.utf8))
        try change(&editor)
        return String(decoding: editor.text, as: UTF8.self)
    }

    @Test func addingToAFileWithoutClients_createsTheArray_andKeepsTheRest() throws {
        let text = "{\n  \"//\": \"note\",\n  \"listen\": \"127.0.0.1:8787\"\n}\n"
        let result = try edited(text) { editor throws(ConfigFileEditor.EditError) in
            try editor.addMember([("name", .string("ann")), ("key_hash", .string(hash))])
        }
        #expect(
            result == "{\n  \"//\": \"note\",\n  \"listen\": \"127.0.0.1:8787\",\n  \"clients\": [\n    {\n      \"name\": \"ann\",\n"
                + "      \"key_hash\": \"\(hash)\"\n    }\n  ]\n}\n")
        #expect(try ConfigFileEditor(text: Array(result.utf8)).memberNames() == ["ann"])
    }

    @Test func addingToNullOrEmptyClients_andToAnEmptyFile() throws {
        for text in ["{\"clients\": null}", "{\"clients\": []}", "{}"] {
            let result = try edited(text) { editor throws(ConfigFileEditor.EditError) in
                try editor.addMember([("name", .string("ann")), ("key_hash", .string(hash))])
            }
            #expect(try ConfigFileEditor(text: Array(result.utf8)).memberNames() == ["ann"], "\(text) -> \(result)")
            #expect((try? JSONValue.parse(result)) != nil)
        }
    }

    @Test func inlineArrays_stayInline() throws {
        let text = #"{"clients": [{"name": "a", "key_hash": "x"}]}"#
        let added = try edited(text) { editor throws(ConfigFileEditor.EditError) in
            try editor.addMember([("name", .string("b"))])
        }
        #expect(added == #"{"clients": [{"name": "a", "key_hash": "x"}, {"name": "b"}]}"#)
    }

    @Test func removingTheFirstMiddleLastAndOnlyMember() throws {
        let text = #"{"clients": [ {"name": "a"}, {"name": "b"}, {"name": "c"} ], "z": 1}"#
        for (name, expected) in [
            ("a", #"{"clients": [ {"name": "b"}, {"name": "c"} ], "z": 1}"#),
            ("b", #"{"clients": [ {"name": "a"}, {"name": "c"} ], "z": 1}"#),
            ("c", #"{"clients": [ {"name": "a"}, {"name": "b"} ], "z": 1}"#),
        ] {
            #expect(try edited(text) { editor throws(ConfigFileEditor.EditError) in try editor.removeMember(named: name) } == expected)
        }
        #expect(
            try edited(#"{"clients": [{"name": "a"}]}"#) { editor throws(ConfigFileEditor.EditError) in try editor.removeMember(named: "a")
            }
                == #"{"clients": []}"#)
    }

    @Test func settingFields_replacesInPlace_insertsAfterKeyHashInOrder_andRemoves() throws {
        let text = "{\"clients\": [\n  {\n    \"name\": \"a\",\n    \"key_hash\": \"old\",\n    \"models\": null\n  }\n]}"
        let set = try edited(text) { editor throws(ConfigFileEditor.EditError) in
            try editor.setFields(of: "a", [("key_hash", .string("new")), ("p1", .number(1)), ("p2", .number(2)), ("models", nil)])
        }
        #expect(set == "{\"clients\": [\n  {\n    \"name\": \"a\",\n    \"key_hash\": \"new\",\n    \"p1\": 1,\n    \"p2\": 2\n  }\n]}")
        let removed = try edited(set) { editor throws(ConfigFileEditor.EditError) in
            try editor.setFields(of: "a", [("p1", nil), ("p2", nil), ("absent", nil)])
        }
        #expect(removed == "{\"clients\": [\n  {\n    \"name\": \"a\",\n    \"key_hash\": \"new\"\n  }\n]}")
    }

    @Test func namesAreMatchedExactly_andHostileNamesAreEscaped() throws {
        let text = #"{"clients": [{"name": "a\"b"}]}"#
        #expect(try ConfigFileEditor(text: Array(text.utf8)).memberNames() == ["a\"b"])
        let added = try edited(text) { editor throws(ConfigFileEditor.EditError) in
            try editor.addMember([("name", .string("x\",\"admin\":true,\"y\":\""))])
        }
        let names = try ConfigFileEditor(text: Array(added.utf8)).memberNames()
        #expect(names == ["a\"b", "x\",\"admin\":true,\"y\":\""])
        #expect(JSONValue.parseOrNil(added)?["clients"]?[1]?["admin"] == nil)
        #expect(throws: ConfigFileEditor.EditError.unknownMember("a")) {
            try edited(text) { editor throws(ConfigFileEditor.EditError) in try editor.removeMember(named: "a") }
        }
        #expect(throws: ConfigFileEditor.EditError.duplicateMember("a\"b")) {
            try edited(text) { editor throws(ConfigFileEditor.EditError) in try editor.addMember([("name", .string("a\"b"))]) }
        }
    }

    @Test func duplicateKeys_areRefused_ratherThanEditedWhereTheLoaderDoesNotLook() {
        for text in [
            #"{"clients": [{"name": "a", "key_hash": "x", "key_hash": "y"}]}"#, #"{"clients": [], "clients": [{"name": "a"}]}"#,
        ] {
            var editor = ConfigFileEditor(text: Array(text.utf8))
            #expect(throws: ConfigFileEditor.EditError.self) { try editor.setFields(of: "a", [("key_hash", .string("z"))]) }
        }
    }

    @Test func aRotatedKey_worksUntilItExpires_andNotAfter() {
        let member = ClientConfig(
            name: "a", keyHash: KeyHash.hash("new-key"),
            retiringKey: ClientConfig.RetiringKey(keyHash: KeyHash.hash("old-key"), expiresAt: 1_000))
        let directory = MemberDirectory([member])
        #expect(directory.member(forBearer: "new-key", now: 5_000)?.name == "a")
        #expect(directory.member(forBearer: "old-key", now: 999)?.name == "a")
        #expect(directory.member(forBearer: "old-key", now: 1_000) == nil)
    }

    @Test func newKeys_areLongRandomAndDistinct() {
        let keys = (0..<100).compactMap { _ in MemberKeyGenerator.generate() }
        #expect(keys.count == 100 && Set(keys).count == 100)
        #expect(keys.allSatisfy { $0.hasPrefix("sk-pplx-") && $0.count == 8 + 64 })
    }

    @Test func timestamps_roundTrip_andImpossibleDatesAreRefused() {
        #expect(UTCTimestamp.parse("2026-12-06T01:00:00Z") == 1_796_518_800)
        #expect(UTCTimestamp.format(1_796_518_800) == "2026-12-06T01:00:00Z")
        #expect(UTCTimestamp.parse("2026-02-31T00:00:00Z") == nil)
        #expect(UTCTimestamp.parse("2026-12-06 01:00:00") == nil)
    }
}

extension JSONValue {
    fileprivate static func parseOrNil(_ text: String) -> JSONValue? {
        try? JSONValue.parse(text)
    }
}

/// `redis.url` as operators write it.
@Suite struct RedisConfigTests {
    @Test func urls_parse_hostPortDatabaseAndPassword() throws {
        let plain = try RedisConfig.parse(url: "redis://cache.internal")
        #expect(plain.host == "cache.internal" && plain.port == 6379 && plain.database == 0 && plain.password == nil)
        let full = try RedisConfig.parse(url: "redis://:s3cret@10.0.0.5:6380/2")
        #expect(full.host == "10.0.0.5" && full.port == 6380 && full.database == 2 && full.password == "s3cret")
        let user = try RedisConfig.parse(url: "redis://default:pw@[::1]:7000")
        #expect(user.host == "::1" && user.port == 7000 && user.password == "pw")
    }

    @Test func badUrls_sayWhatIsWrong() {
        for url in ["http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h/x", "rediss://h"] {
            #expect(throws: ConfigValueError.self) { try RedisConfig.parse(url: url) }
        }
    }
}
