import Foundation
import Testing

@testable import BgxferCore

@Suite struct QuantityTests {
    @Test(arguments: [
        ("500K", Int64(512_000)), ("2M", 2_097_152), ("1G", 1_073_741_824), ("4096", 4096), ("1.5M", 1_572_864),
        ("2m", 2_097_152), ("2MB", 2_097_152), ("2M/s", 2_097_152), ("1k", 1024),
    ])
    func ratesUseBinaryUnitsLikeCurl(text: String, bytes: Int64) throws {
        #expect(try Quantity.bytes(text) == bytes)
    }

    @Test(arguments: ["", "fast", "-1M", "0", "1X", "1.2.3K", "M", "1 M", "1e6"])
    func malformedRatesAreRefusedWithTheValueNamed(text: String) {
        #expect {
            try Quantity.bytes(text)
        } throws: { error in
            let error = error as? BgxferError
            return error?.exitCode == 64 && error?.message.contains("'\(text)'") == true
        }
    }

    @Test(arguments: [("90s", 90.0), ("15m", 900), ("2h", 7200), ("1d", 86400), ("30", 30), ("2.5", 2.5)])
    func durations(text: String, seconds: Double) throws {
        #expect(try Quantity.seconds(text) == seconds)
    }

    @Test(arguments: ["", "soon", "-5s", "0s", "5w", "m"])
    func malformedDurationsAreRefused(text: String) {
        #expect(throws: BgxferError.self) { try Quantity.seconds(text) }
    }
}

@Suite struct ChecksumTests {
    let digest = String(repeating: "ab", count: 32)

    @Test func aSha256IsNormalisedToLowercase() throws {
        #expect(try Checksum.parse("SHA256:" + digest.uppercased()) == "sha256:" + digest)
    }

    @Test(arguments: ["md5:abc", "sha256:", "sha256:xyz", "abcdef", "sha256:" + String(repeating: "a", count: 63)])
    func malformedChecksumsAreRefused(text: String) {
        #expect(throws: BgxferError.self) { try Checksum.parse(text) }
    }
}

@Suite struct HeaderFieldTests {
    @Test func headersAreNormalisedToNameColonSpaceValue() throws {
        #expect(try HeaderField.parse("X-Token:abc") == "X-Token: abc")
        #expect(try HeaderField.parse("Accept:   text/plain") == "Accept: text/plain")
        #expect(try HeaderField.parse("Accept:") == "Accept:")
    }

    @Test(arguments: ["NoColon", ": value", "Bad Name: x", "X: a\r\nInjected: yes", "X: a\nb", "X: \0"])
    func malformedHeadersAreRefused(text: String) {
        #expect {
            try HeaderField.parse(text)
        } throws: { error in
            // One line, whatever the input held.
            let message = (error as? BgxferError)?.message ?? ""
            return !message.contains("\n") && !message.contains("\r") && message.hasPrefix("malformed header")
        }
    }
}

@Suite struct TransferURLTests {
    @Test(arguments: [
        "http://example.com/a", "https://example.com:8443/a?b=c", "ftp://user:pw@127.0.0.1:2121/f.bin",
        "ftps://host/x", "HTTPS://EXAMPLE.COM/A",
    ])
    func supportedURLsPass(url: String) throws {
        #expect(try TransferURL.validate(url) == url)
    }

    @Test(arguments: [
        ("example.com/file", "malformed URL"), ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("gopher://host/x", "unsupported URL scheme 'gopher'"), ("http:///nohost", "no host"),
        ("http://exa mple.com/", "spaces"), ("https://host:99999/x", "malformed URL"),
    ])
    func badURLsAreRefusedNamingTheProblem(url: String, expected: String) {
        #expect {
            try TransferURL.validate(url)
        } throws: { error in
            (error as? BgxferError)?.message.contains(expected) == true
        }
    }

    @Test func thePasswordOfARefusedURLIsNotEchoed() {
        #expect {
            try TransferURL.validate("sftp://user:hunter2@host/x")
        } throws: { error in
            let message = (error as? BgxferError)?.message ?? ""
            return !message.contains("hunter2") && message.contains("user:***@host")
        }
    }
}

@Suite struct DestinationTests {
    func destination(output: String? = nil, directory: String? = nil) -> Destination {
        Destination(output: output, directory: directory, overwrite: false, workingDirectory: "/home/u")
    }

    @Test func theNameComesFromTheURLsLastSegmentPercentDecoded() throws {
        #expect(try destination().path(for: "https://h/dir/My%20File.iso?x=1") == "/home/u/My File.iso")
        #expect(try destination(directory: "dl").path(for: "https://h/a.iso") == "/home/u/dl/a.iso")
        #expect(try destination(directory: "/tmp/").path(for: "https://h/a.iso") == "/tmp/a.iso")
    }

    @Test func outputWins() throws {
        #expect(try destination(output: "../x.bin").path(for: "https://h/a.iso") == "/home/x.bin")
        #expect(try destination(output: "/abs/y").path(for: "https://h/") == "/abs/y")
    }

    @Test(arguments: ["https://h/", "https://h", "https://h/dir/", "https://h/..", "https://h/%2E%2E",
        "https://h/.hidden", "https://h/a%2Fb", "https://h/a%0Ab"])
    func unsafeOrMissingNamesNeedOutput(url: String) {
        #expect {
            try destination().path(for: url)
        } throws: { error in
            (error as? BgxferError)?.message.contains("give one with -o") == true
        }
    }

    @Test func outputAndDirectoryExcludeEachOther() {
        #expect(throws: BgxferError.self) { try destination(output: "a", directory: "b").path(for: "https://h/a") }
    }

    @Test(arguments: ["x", "file.tar.gz", "naïve résumé.pdf"])
    func ordinaryNamesAreSafe(name: String) {
        #expect(FileName.validate(name) == name)
    }
}

@Suite struct TaskIDTests {
    @Test func idsAreSixCharactersFromTheAlphabet() {
        for _ in 0..<100 {
            let id = TaskID.random().rawValue
            #expect(id.count == 6)
            #expect(TaskID.isPlausiblePrefix(id))
        }
    }

    @Test func prefixesRejectJunkBeforeTheStoreIsAsked() {
        #expect(TaskID.isPlausiblePrefix("k3f"))
        #expect(!TaskID.isPlausiblePrefix(""))
        #expect(!TaskID.isPlausiblePrefix("k3f9q2x"))
        #expect(!TaskID.isPlausiblePrefix("K3F%"))
        #expect(!TaskID.isPlausiblePrefix("0o1l"))
    }
}

@Suite struct SessionNameTests {
    @Test func namesAreLimitedToSafeCharacters() throws {
        #expect(try SessionName.validate("backups-2026.nightly_1") == "backups-2026.nightly_1")
        for bad in ["", "../x", "a/b", "-x", ".x", "with space", String(repeating: "a", count: 65)] {
            #expect(throws: BgxferError.self) { try SessionName.validate(bad) }
        }
    }
}

@Suite struct UploadInputTests {
    @Test func aSourceIsIdentifiedAndAChangeIsNamed() throws {
        let path = FileManager.default.temporaryDirectory.path + "/bgxfer-source-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("first".utf8).write(to: URL(fileURLWithPath: path))
        let recorded = try UploadSource.inspect(path)
        #expect(recorded.size == 5)
        #expect(recorded.change(to: recorded) == nil)
        var grown = recorded
        grown.size = 9
        #expect(recorded.change(to: grown) == "its size changed from 5 to 9 bytes")
        var touched = recorded
        touched.modified += 1
        #expect(recorded.change(to: touched) == "it was modified")
        var replaced = recorded
        replaced.inode += 1
        #expect(recorded.change(to: replaced) == "it was replaced by another file")
        #expect(throws: BgxferError.self) { try UploadSource.inspect(path + ".missing") }
        #expect(throws: BgxferError.self) { try UploadSource.inspect(FileManager.default.temporaryDirectory.path) }
    }

    @Test func methodsArePutPostOrPatch() throws {
        #expect(try UploadMethod.validate("put") == "PUT")
        #expect(try UploadMethod.validate("PATCH") == "PATCH")
        #expect(throws: BgxferError.usage("unsupported method 'GET': use PUT, POST or PATCH")) {
            try UploadMethod.validate("GET")
        }
    }
}
