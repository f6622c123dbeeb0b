import Foundation
import Testing

/// `download --content-disposition` (README, "Transfers"): the name from the server, decided before the
/// first byte is written, held to the rules for names from outside; against the fault server,
/// which sends the Content-Disposition a test asks for.
@Suite(.serialized) struct ContentDispositionTests {
    static let mebibyte = 1 << 20

    static func log(_ sandbox: Sandbox, _ id: String) throws -> String { try sandbox.bgxfer("show", id).stdout }

    @Test func theFileTakesTheServersNameAndOnlyWhenAsked() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let digest = try server.serve("get", size: 3 * Self.mebibyte)
            try server.faults("get", ["content_disposition": "attachment; filename=\"fallback.pdf\"; filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf"])

            let id = try sandbox.download(server.url("get?id=7"), "--content-disposition")
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            let named = sandbox.file("résumé 2026.pdf")
            #expect(try TestFiles.sha256(named) == digest)
            let task = try sandbox.task(id)
            #expect(task["destination"] as? String == named)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["résumé 2026.pdf"])
            #expect(try Self.log(sandbox, id).contains("saving as résumé 2026.pdf, named by the server's Content-Disposition"))

            // Without the flag the header is not looked at: the URL names the file.
            let plain = try sandbox.download(server.url("get?id=7"))
            #expect(try sandbox.bgxfer("wait", plain).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("get")) == digest)
        }
    }

    @Test func anUnsafeNameIsNotUsedAndAPathIsReducedToItsBaseName() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let dotDigest = try server.serve("dot", size: 100_000)
            try server.faults("dot", ["content_disposition": "attachment; filename=\".bashrc\""])
            let pathDigest = try server.serve("path", size: 100_000)
            try server.faults("path", ["content_disposition": "attachment; filename=\"../../escape.txt\""])

            let dot = try sandbox.download(server.url("dot"), "--content-disposition")
            let path = try sandbox.download(server.url("path"), "--content-disposition")
            #expect(try sandbox.bgxfer("wait", dot, path).status == 0)
            // The dotfile name is refused, with the reason in the log: the URL's name is used.
            #expect(try TestFiles.sha256(sandbox.file("dot")) == dotDigest)
            #expect(!FileManager.default.fileExists(atPath: sandbox.file(".bashrc")))
            #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/home/.bashrc"))
            let log = try Self.log(sandbox, dot)
            #expect(log.contains("not used: its file name '.bashrc' is refused: it starts with a dot"), "\(log)")
            // The path is cut to its last part, in the directory asked for, and nowhere else.
            #expect(try TestFiles.sha256(sandbox.file("escape.txt")) == pathDigest)
            #expect(!FileManager.default.fileExists(atPath: sandbox.root + "/escape.txt"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads).sorted() == ["dot", "escape.txt"])
        }
    }

    @Test func aNameThatIsTakenFailsTheTaskBeforeAnyByteIsWritten() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let digest = try server.serve("get", size: 4 * Self.mebibyte)
            try server.faults("get", ["content_disposition": "attachment; filename=report.pdf", "rate": 2 * Self.mebibyte])
            let existing = sandbox.file("report.pdf")
            try Data("keep me".utf8).write(to: URL(fileURLWithPath: existing))

            // An existing file of that name.
            let refused = try sandbox.download(server.url("get"), "--content-disposition")
            #expect(try sandbox.bgxfer("wait", refused).status == 1)
            let task = try sandbox.task(refused)
            #expect(task["state"] as? String == "failed")
            let error = try #require(task["error"] as? [String: Any])
            #expect(error["code"] as? String == "destination-exists")
            #expect((error["message"] as? String)?.contains("\(existing) exists: use --overwrite") == true, "\(error)")
            #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["report.pdf"])

            // Another live task's destination: two downloads named alike at the same time.
            try FileManager.default.removeItem(atPath: existing)
            let first = try sandbox.download(server.url("get?n=1"), "--content-disposition")
            let second = try sandbox.download(server.url("get?n=2"), "--content-disposition")
            #expect(try sandbox.bgxfer("wait", first, second).status == 1)
            let outcomes = try [first, second].map { try sandbox.task($0) }
            #expect(outcomes.filter { $0["state"] as? String == "completed" }.count == 1)
            let loser = try #require(outcomes.first { $0["state"] as? String == "failed" })
            let message = (loser["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(message.contains("is already the destination of task"), "\(message)")
            #expect(try TestFiles.sha256(existing) == digest)

            // With --overwrite it is replaced.
            let replacing = try sandbox.download(server.url("get"), "--content-disposition", "--overwrite")
            #expect(try sandbox.bgxfer("wait", replacing).status == 0)
            #expect(try TestFiles.sha256(existing) == digest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["report.pdf"])
        }
    }

    @Test func theNameDecidedFirstIsKeptWhenTheDownloadResumes() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let digest = try server.serve("get", size: 8 * Self.mebibyte)
            try server.faults(
                "get", ["content_disposition": "attachment; filename=data.bin", "plan": [["drop_after": 3 * Self.mebibyte]]])
            let id = try sandbox.download(server.url("get"), "--content-disposition")
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("data.bin")) == digest)
            let requests = try server.stats("get").requests
            #expect(requests.count == 2)
            #expect(requests.last?["status"] as? Int == 206)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["data.bin"])
        }
    }
}
