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

@Suite struct UploadFormTests {
    let directory = FileManager.default.temporaryDirectory.path + "/bgxfer-form-\(UUID().uuidString.prefix(8))"

    func file(_ name: String, _ text: String = "x") throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func fieldsAndFilesParseAsCurlsFormDoes() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try file("photo.png")
        _ = try file("odd;name.bin")
        let field = try FormPart.parse("title=a=b;c", in: directory)
        #expect(field.name == "title" && field.value == "a=b;c" && field.file == nil)
        let photo = try FormPart.parse("image=@photo.png", in: directory)
        #expect(photo.file?.path == directory + "/photo.png")
        #expect(photo.filename == "photo.png" && photo.contentType == "image/png")
        let renamed = try FormPart.parse("doc=@photo.png;type=text/plain;filename=notes.txt", in: directory)
        #expect(renamed.filename == "notes.txt" && renamed.contentType == "text/plain")
        // A ';' that does not start type= or filename= belongs to the path.
        let odd = try FormPart.parse("f=@odd;name.bin", in: directory)
        #expect(odd.file?.path == directory + "/odd;name.bin" && odd.contentType == "application/octet-stream")
    }

    @Test func malformedPartsAreRefusedNamingTheProblem() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try file("a.bin")
        #expect(throws: BgxferError.usage("malformed form part 'novalue': expected NAME=VALUE or NAME=@FILE")) {
            try FormPart.parse("novalue", in: directory)
        }
        #expect(throws: BgxferError.self) { try FormPart.parse("=x", in: directory) }
        #expect(throws: BgxferError.self) { try FormPart.parse("a\"b=x", in: directory) }
        #expect(throws: BgxferError.usage("malformed form part 'f=@': no file after '@'")) {
            try FormPart.parse("f=@", in: directory)
        }
        #expect(throws: BgxferError.self) { try FormPart.parse("f=@a.bin;filename=x\"y", in: directory) }
        #expect(throws: BgxferError.self) { try FormPart.parse("f=@missing.bin", in: directory) }
    }

    @Test func protocolsAndTheirCombinations() throws {
        #expect(try UploadProtocol.parse("TUS") == .tus)
        #expect(throws: BgxferError.usage("unknown upload protocol 's3': use plain, tus or rufh")) {
            try UploadProtocol.parse("s3")
        }
        let http = "http://h/up"
        #expect(try UploadRules.check(url: http, form: false, protocol: .plain, method: nil) == "POST")
        #expect(try UploadRules.check(url: http, form: true, protocol: .plain, method: "put") == "PUT")
        #expect(try UploadRules.check(url: http, form: false, protocol: .rufh, method: "PUT") == "PUT")
        #expect(try UploadRules.check(url: http, form: false, protocol: .tus, method: "post") == "POST")
        #expect(throws: BgxferError.usage("tus chooses its own requests (POST, HEAD, PATCH): leave out -X")) {
            try UploadRules.check(url: http, form: false, protocol: .tus, method: "PUT")
        }
        #expect(throws: BgxferError.usage("--form sends multipart/form-data over HTTP: it needs an http or https URL")) {
            try UploadRules.check(url: "ftp://h/x", form: true, protocol: .plain, method: nil)
        }
        #expect(throws: BgxferError.self) { try UploadRules.check(url: "ftps://h/x", form: false, protocol: .tus, method: nil) }
        #expect(throws: BgxferError.usage("--protocol rufh uploads one file: --form works only with --protocol plain")) {
            try UploadRules.check(url: http, form: true, protocol: .rufh, method: nil)
        }
    }

    @Test func tusMetadataCarriesNameAndType() {
        #expect(ResumableUpload.metadata(for: "/x/holiday.jpg") == "filename aG9saWRheS5qcGc=,filetype aW1hZ2UvanBlZw==")
    }
}

@Suite struct UploadResumeDataTests {
    let directory = FileManager.default.temporaryDirectory.path + "/bgxfer-updata-\(UUID().uuidString.prefix(8))"

    func task(protocol kind: UploadProtocol, uploadURL: String?) throws -> TransferTask {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/source.bin"
        try Data("0123456789".utf8).write(to: URL(fileURLWithPath: path))
        var draft = TaskDraft(url: "https://h/files/", destination: nil)
        draft.kind = .upload
        draft.source = try UploadSource.inspect(path)
        draft.uploadProtocol = kind
        draft.uploadURL = uploadURL
        draft.method = "POST"
        var task = TransferTask(draft: draft, id: TaskID("upload"), createdAt: Date())
        task.state = .suspended
        task.durableBytes = 4
        return task
    }

    @Test func aResumableUploadsDataRoundTripsAndGoesStaleWhenItsFileChanges() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let task = try task(protocol: .tus, uploadURL: "https://h/files/abc")
        let path = directory + "/resume.json"
        try ResumeData(task: task).write(to: path)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect(object["uploadURL"] as? String == "https://h/files/abc")
        #expect(object["protocol"] as? String == "tus")
        #expect(object["bytesSent"] as? Int == 4)
        #expect((object["source"] as? [String: Any])?["path"] as? String == directory + "/source.bin")
        #expect(object["partialPath"] == nil && object["destination"] == nil)
        let read = try ResumeData.read(from: path)
        #expect(read.kind == .upload && read.source == task.source && read.resumePoint == nil)

        try Data("0123456789ab".utf8).write(to: URL(fileURLWithPath: directory + "/source.bin"))
        #expect(
            throws: BgxferError(
                "resume data \(path) is stale: \(directory)/source.bin changed since the upload began: its size changed from 10 to 12 bytes")
        ) { try ResumeData.read(from: path) }
    }

    @Test func plainUploadsAndUploadsWithoutAResourceHaveNone() throws {
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: BgxferError.self) { try ResumeData(task: self.task(protocol: .plain, uploadURL: nil)) }
        do {
            _ = try ResumeData(task: task(protocol: .rufh, uploadURL: nil))
            Issue.record("resume data without an upload resource")
        } catch let error as BgxferError {
            #expect(error.message.contains("the server has not made an upload resource yet"))
        }
    }
}
