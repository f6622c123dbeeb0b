import Foundation
import GRDB
import Testing

@testable import BgxferCore

/// Untrusted numbers, names and text (issue 15): bounded, redacted, escaped.
@Suite struct HardeningTests {
    @Test(arguments: ["99999999999999999999999s", "36526d", "1000000000d", "3155760001"])
    func durationsBeyondAHundredYearsAreRefused(text: String) throws {
        #expect {
            try Quantity.seconds(text, what: "no-progress timeout")
        } throws: { error in
            (error as? BgxferError)?.message == "no-progress timeout '\(text)' is too long: at most 36525d (100 years)"
        }
        #expect(try Quantity.seconds("36525d") == Quantity.longestDuration)
    }

    @Test func sizesBeyond1024TAreRefused() throws {
        #expect(try Quantity.bytes("1024T") == 1 << 50)
        #expect(throws: BgxferError.usage("rate '1025T' is too large: at most 1024T")) { try Quantity.bytes("1025T") }
        #expect(throws: BgxferError.self) { try Quantity.bytes("99999999999999999999999") }
    }

    @Test func numbersNeverTrap() {
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: 1e300) == .max && Int(saturating: -1e300) == .min && Int(saturating: .infinity) == .max)
        #expect(Int(saturating: 2.9) == 2)
        #expect(Format.duration(1e300) == Format.duration(1e12))
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: -1e300)) == "0001-01-01T00:00:00Z")
    }

    @Test(arguments: [
        "Authorization Bearer s3cr3t", "Authorization: Bearer s3cr3t\r\nX: y", "X-A: 1\r\nAuthorization: s3cr3t",
        "Author ization: s3cr3t", "Cookie\u{1B}[31m: s3cr3t",
    ])
    func aMalformedHeaderIsNamedButNeverQuoted(text: String) {
        #expect {
            try HeaderField.parse(text)
        } throws: { error in
            guard let message = (error as? BgxferError)?.message else { return false }
            return message.hasPrefix("malformed header") && !message.contains("s3cr3t") && !message.contains("\u{1B}")
                && !message.contains("\n")
        }
    }

    /// Found by the header-field fuzzer: "\r\n" is one Character, so a scan for "\r" or "\n"
    /// among Characters ran past the line break.
    @Test func aRefusedHeaderIsQuotedUpToItsFirstSeparatorScalar() throws {
        #expect(HeaderField.shown("Cookie\r\nX: s3cr3t") == "Cookie …")
        #expect(HeaderField.shown("Authorization: s3cr3t") == "Authorization: …")
        #expect(HeaderField.shown("Lone") == "Lone")
        #expect(HeaderField.shown(String(repeating: "n", count: 70)) == String(repeating: "n", count: 64) + " …")
        // A mark that joins the ':' after it into one Character: still read as bytes are.
        #expect(HeaderField.shown("\u{0603}:x") == "\u{0603}: …")
        #expect(throws: BgxferError.usage("malformed header '\u{0603}: …': it does not start with a valid header name")) {
            try HeaderField.parse("\u{0603}:x")
        }
        #expect(try HeaderField.parse("X-A:\u{0301}b") == "X-A: \u{0301}b")
    }

    @Test(arguments: ["http://user:s3cr3t@h/a b", "http://user:s3cr3t word@h/x", "ftp//user:s3cr3t@h/x", "gopher://u:s3cr3t@h/"])
    func aMalformedURLNeverShowsItsPassword(text: String) {
        #expect {
            try TransferURL.validate(text)
        } throws: { error in
            guard let message = (error as? BgxferError)?.message else { return false }
            return !message.contains("s3cr3t") && message.contains("***")
        }
    }

    @Test func aNameLeavesRoomForThePartialFileSuffix() {
        #expect(FileName.longest == 236)
        #expect(FileName.validate(String(repeating: "a", count: 236)) != nil)
        #expect(FileName.problem(String(repeating: "a", count: 237))?.contains("longer than 236 bytes") == true)
        let destination = Destination(output: "/tmp/" + String(repeating: "b", count: 240), directory: nil, overwrite: true, workingDirectory: "/")
        #expect(throws: BgxferError.self) { try destination.check("/tmp/" + String(repeating: "b", count: 240)) }
    }

    @Test func controlCharactersFromServersAreShownEscaped() {
        #expect("ok\u{1B}]0;pwned\u{07}\u{9B}2J".escapedForMessage == "ok\\x1b]0;pwned\\x7\\x9b2J")
        #expect("Grüße – ✓".escapedForMessage == "Grüße – ✓")
        #expect(TextTable.render([["a\u{1B}[2J", "b"]]) == "a\\x1b[2J  b")
    }

    @Test func notificationBodiesEscapeMarkup() {
        var task = TransferTask(
            draft: TaskDraft(url: "https://h/a", destination: "/tmp/<b>x<b>&y.bin"), id: TaskID("abcdef"), createdAt: Date())
        task.notify = NotifySettings(success: nil, failure: nil)
        task.state = .failed
        task.errorCode = "http-503"
        task.errorMessage = "the server answered 503 <a href='x'>Busy</a>"
        let notification = DesktopNotification(task: task)
        #expect(notification?.body == "&lt;b&gt;x&lt;b&gt;&amp;y.bin: the server answered 503 &lt;a href=&apos;x&apos;&gt;Busy&lt;/a&gt;")
    }
}

extension StoreTests {
    @Test func aStoreFromANewerBgxferIsRefusedAndLeftAlone() throws {
        try store.database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: store.paths.databasePath))
        #expect {
            try Store.open(self.store.paths)
        } throws: { error in
            let message = (error as? BgxferError)?.message ?? ""
            return message.contains("was written by a newer bgxfer (schema 'v99: from the future')")
                && message.contains("knows up to 'v9:")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: store.paths.databasePath)) == before)
    }

    @Test func aValueTheStoreCannotReadIsReportedWithoutTheRow() throws {
        let task = try store.insert(draft())
        try store.database.write { db in
            try db.execute(
                sql: "UPDATE task SET beginAt = '2739933-12-07 19:48:50.992', requestHeaders = '[\"Authorization: Bearer s3cr3t\"]' WHERE id = ?",
                arguments: [task.id.rawValue])
        }
        #expect {
            try self.store.task(task.id)
        } throws: { error in
            let message = (error as? BgxferError)?.message ?? "\(error)"
            return message.contains("(column beginAt)") && !message.contains("s3cr3t") && !message.contains("row:")
        }
    }
}

@Suite struct DestinationPathTests {
    @Test(arguments: [
        ("a.iso", "/home/u", "/home/u/a.iso"), ("./a.iso", "/home/u", "/home/u/a.iso"),
        ("../x/./a", "/home/u", "/home/x/a"), ("/srv//b/../c", "/", "/srv/c"), ("../../..", "/a", "/"),
        ("d/", "/w", "/w/d"),
    ])
    func pathsAreResolvedByTheirTextAlone(path: String, directory: String, expected: String) {
        #expect(Destination.absolute(path, in: directory) == expected)
    }

    @Test func aSymbolicLinkOnTheWayIsNotResolvedInto() throws {
        let root = FileManager.default.temporaryDirectory.path + "/bgxfer-links-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/real", withIntermediateDirectories: true)
        #expect(symlink(root + "/real", root + "/link") == 0)
        #expect(symlink("/etc/passwd", root + "/file") == 0)
        #expect(Destination.absolute("./link/a", in: root) == root + "/link/a")
        #expect(Destination.absolute("./file", in: root) == root + "/file")
    }
}
