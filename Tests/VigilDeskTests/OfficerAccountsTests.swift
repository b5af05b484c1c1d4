import Testing
import VigilCrypto
import VigilDesk

/// The officer accounts file: hashing, verifying, names, passwords, the file format.
@Suite("Officer accounts")
struct OfficerAccountsTests {
    /// Cheap parameters: the tests check logic, not cost.
    static let cheap = Scrypt.Parameters(n: 1024, r: 8, p: 1)
    static let salt = [UInt8](repeating: 7, count: 16)

    @Test("an added officer's password verifies; a wrong password, a wrong name and a removed officer do not")
    func verify() throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: "j.dupont", password: "correct horse battery", salt: Self.salt, now: 1, parameters: Self.cheap)
        #expect(accounts.verify(name: "j.dupont", password: "correct horse battery"))
        #expect(!accounts.verify(name: "j.dupont", password: "correct horse batterY"))
        #expect(!accounts.verify(name: "j.dupond", password: "correct horse battery"))
        try accounts.remove(name: "j.dupont")
        #expect(!accounts.verify(name: "j.dupont", password: "correct horse battery"))
        #expect(throws: DeskError.self) { try accounts.remove(name: "j.dupont") }
    }

    @Test("the file round-trips, holds no password, and says its format and version")
    func fileRoundTrip() throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: "Zoë", password: "a long enough secret", salt: Self.salt, now: 1_796_000_000_000, parameters: Self.cheap)
        let text = String(decoding: accounts.fileBytes, as: UTF8.self)
        #expect(text.contains("\"format\" : \"vigil-desk-officers\"") && text.contains("\"version\" : 1"))
        #expect(!text.contains("secret"))
        let back = try OfficerAccounts(fileBytes: accounts.fileBytes)
        #expect(back == accounts)
        #expect(back.verify(name: "Zoë", password: "a long enough secret"))
    }

    @Test("a duplicate name is refused unless replacing; replacing changes the password")
    func duplicates() throws {
        var accounts = OfficerAccounts()
        try accounts.add(name: "a", password: "first password!", salt: Self.salt, now: 1, parameters: Self.cheap)
        #expect(throws: DeskError(.officerExists, "an officer called a exists already; to set a new password use --replace, or remove the officer first")) {
            try accounts.add(name: "a", password: "second password", salt: Self.salt, now: 2, parameters: Self.cheap)
        }
        try accounts.add(name: "a", password: "second password", salt: Self.salt, now: 2, parameters: Self.cheap, replacing: true)
        #expect(accounts.verify(name: "a", password: "second password") && !accounts.verify(name: "a", password: "first password!"))
        #expect(accounts.officers.count == 1)
    }

    @Test("bad names and short passwords are refused with the rule", arguments: ["", "a b", "<script>", "x/y", String(repeating: "n", count: 65)])
    func badNames(_ name: String) {
        var accounts = OfficerAccounts()
        #expect(throws: DeskError.self) { try accounts.add(name: name, password: "long enough password", salt: Self.salt, now: 1, parameters: Self.cheap) }
    }

    @Test("a password under 12 characters is refused")
    func shortPassword() {
        var accounts = OfficerAccounts()
        do {
            try accounts.add(name: "a", password: "short", salt: Self.salt, now: 1, parameters: Self.cheap)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .weakPassword && error.message.contains("at least 12"))
        }
    }

    @Test("files of another format or version, or with bad records, are refused", arguments: [
        "not json",
        #"{"format":"other","version":1,"officers":[]}"#,
        #"{"format":"vigil-desk-officers","version":2,"officers":[]}"#,
        #"{"format":"vigil-desk-officers","version":1,"officers":[{"name":"a b","salt":"00000000000000000000000000000000","hash":"0000000000000000000000000000000000000000000000000000000000000000","scrypt":{"n":1024,"r":8,"p":1},"addedMilliseconds":1}]}"#,
        #"{"format":"vigil-desk-officers","version":1,"officers":[{"name":"a","salt":"00","hash":"00","scrypt":{"n":1024,"r":8,"p":1},"addedMilliseconds":1}]}"#,
    ])
    func badFiles(_ text: String) {
        #expect(throws: DeskError.self) { try OfficerAccounts(fileBytes: Array(text.utf8)) }
    }
}
