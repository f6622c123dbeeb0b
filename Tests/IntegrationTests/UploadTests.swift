import Foundation
import Testing

/// Plain uploads (issue 6, first part): PUT to nginx, POST with --reply to a receiver of our
/// own, FTP STOR, source safety, list --uploads.
@Suite struct UploadTests {
    static let mebibyte = 1 << 20

    /// `upload ARGUMENTS`, then `wait`; returns the task as `show --json` prints it.
    static func upload(_ sandbox: Sandbox, _ arguments: [String]) throws -> [String: Any] {
        let outcome = try sandbox.bgxfer(["upload"] + arguments)
        let id = try #require(outcome.lines.first, "upload failed: \(outcome.stderr)")
        _ = try sandbox.bgxfer("wait", id)
        return try sandbox.task(id)
    }

    @Test func aGibibytePutToNginxArrivesWholeWithABoundedWorker() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(
                in: sandbox.root,
                extraServerConfig: "location /dav/ { dav_methods PUT; create_full_put_path on; client_max_body_size 0; }")
            let source = sandbox.root + "/big.img"
            let digest = try TestFiles.random(at: source, size: 1024 * Self.mebibyte)
            let task = try Self.upload(sandbox, [source, nginx.url("dav/big.img"), "-X", "PUT"])
            #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
            #expect(task["httpStatus"] as? Int == 201)
            #expect(try TestFiles.sha256(nginx.documentRoot + "/dav/big.img") == digest)
            #expect(sandbox.awaitWorkersGone())
            // The body streams from the file: the worker never holds it in memory.
            let log = try String(contentsOfFile: sandbox.state + "/bgxfer/log/worker-default.log", encoding: .utf8)
            let peak = try #require(
                log.split(separator: "\n").last { $0.contains("worker exiting") }?
                    .split(separator: " ").first { $0.hasPrefix("peak_rss_kib=") }
                    .flatMap { Int($0.dropFirst("peak_rss_kib=".count)) })
            #expect(peak < 64 * 1024, "worker peak RSS \(peak) KiB for a 1 GiB upload")
        }
    }

    @Test func postStoresTheReplyAndShowHasTheStatus() throws {
        try withSandbox { sandbox in
            let server = try UploadServer(in: sandbox.root)
            let source = sandbox.root + "/report.csv"
            let digest = try TestFiles.random(at: source, size: 3 * Self.mebibyte)
            let reply = sandbox.root + "/reply.json"
            let task = try Self.upload(sandbox, [source, server.url("report.csv"), "--reply", reply])
            #expect(task["state"] as? String == "completed")
            #expect(task["kind"] as? String == "upload")
            #expect(task["httpStatus"] as? Int == 201)
            #expect(task["method"] as? String == "POST")
            let body = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reply))) as? [String: Any])
            #expect(body["method"] as? String == "POST")
            #expect(body["sha256"] as? String == digest)
            #expect(body["content_type"] as? String == "application/octet-stream")
            #expect((task["reply"] as? String)?.contains(digest) == true)
            #expect(try TestFiles.sha256(server.root + "/report.csv") == digest)
            let text = try sandbox.bgxfer("show", task["id"] as? String ?? "")
            #expect(text.stdout.contains("Reply (start):"), "\(text.stdout)")

            // A reply larger than what the store keeps is saved whole by --reply.
            let bigReply = sandbox.root + "/big-reply.txt"
            let big = try Self.upload(sandbox, [source, server.url("big.csv?reply_bytes=1000000"), "--reply", bigReply])
            #expect(big["state"] as? String == "completed")
            let saved = try Data(contentsOf: URL(fileURLWithPath: bigReply))
            #expect(saved.count == 1_000_000 && saved.last == UInt8(ascii: "."))
            #expect(String(decoding: saved.prefix(200), as: UTF8.self).contains(digest))
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.root).filter { $0.contains(".bgxfer-reply-") }.isEmpty)

            // PATCH, and a refusal: the reply of an error is kept too, and --reply not written.
            let patched = try Self.upload(sandbox, [source, server.url("patched.csv"), "-X", "patch"])
            #expect(patched["method"] as? String == "PATCH")
            #expect(try TestFiles.sha256(server.root + "/patched.csv") == digest)
            let refusedReply = sandbox.root + "/refused.txt"
            let refused = try Self.upload(sandbox, [source, server.url("_status/403/x.csv"), "--reply", refusedReply])
            #expect(refused["state"] as? String == "failed")
            #expect((refused["error"] as? [String: Any])?["code"] as? String == "http-403")
            #expect((refused["reply"] as? String)?.hasPrefix("refused with 403") == true)
            #expect(!FileManager.default.fileExists(atPath: refusedReply))
        }
    }

    @Test func aMultipartFormStreamsItsFilesAndFieldsInOrder() throws {
        try withSandbox { sandbox in
            let server = try UploadServer(in: sandbox.root)
            let photo = sandbox.root + "/photo.jpg"
            let photoDigest = try TestFiles.random(at: photo, size: 5 * Self.mebibyte)
            let notes = sandbox.root + "/notes"
            let notesDigest = try TestFiles.random(at: notes, size: 300_000)
            let task = try Self.upload(
                sandbox,
                [
                    "--form", "title=Summer, 2026", "--form", "image=@\(photo)",
                    "--form", "attachment=@\(notes);type=text/markdown;filename=notes.md", server.url("album"),
                ])
            #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
            #expect(task["source"] is NSNull, "a form has no single source")
            #expect((task["form"] as? [[String: Any]])?.count == 3)
            #expect(task["bytesExpected"] as? Int == 5 * Self.mebibyte + 300_000)
            let reply = try #require(
                try JSONSerialization.jsonObject(with: Data((task["reply"] as? String ?? "").utf8)) as? [String: Any])
            #expect((reply["content_type"] as? String)?.hasPrefix("multipart/form-data; boundary=") == true)
            let parts = try #require(reply["parts"] as? [[String: Any]])
            #expect(parts.map { $0["name"] as? String } == ["title", "image", "attachment"])
            #expect(parts.map { $0["filename"] as? String } == [nil, "photo.jpg", "notes.md"])
            #expect(parts.map { $0["content_type"] as? String } == [nil, "image/jpeg", "text/markdown"])
            #expect(try String(contentsOfFile: server.root + "/album.parts/0-title", encoding: .utf8) == "Summer, 2026")
            #expect(try TestFiles.sha256(server.root + "/album.parts/1-image") == photoDigest)
            #expect(try TestFiles.sha256(server.root + "/album.parts/2-attachment") == notesDigest)
        }
    }

    @Test func aPlainUploadSuspendedAndResumedStartsAgainAndSaysSo() throws {
        try withSandbox { sandbox in
            let server = try UploadServer(in: sandbox.root)
            let source = sandbox.root + "/again.bin"
            let digest = try TestFiles.random(at: source, size: 6 * Self.mebibyte)
            let id = try #require(try sandbox.bgxfer("upload", source, server.url("again.bin"), "--limit-rate", "2M").lines.first)
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: Self.mebibyte)) != nil)
            #expect(try sandbox.bgxfer("suspend", id).status == 0)
            // A plain upload has nothing the server keeps: no resume data either.
            let refused = try sandbox.bgxfer("cancel", id, "--resume-data", sandbox.root + "/again.resume")
            #expect(refused.status == 1 && refused.stderr.contains("is a plain upload: it cannot continue where it stopped"))
            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(server.root + "/again.bin") == digest)
            let shown = try sandbox.bgxfer("show", id).stdout
            #expect(shown.contains("Protocol:") && shown.contains("plain: a stopped upload starts again from zero"))
            #expect(shown.contains("a plain upload cannot continue where it stopped: the whole body is sent again"), "\(shown)")
        }
    }

    @Test func aSourceChangedMidUploadFailsSayingSo() throws {
        try withSandbox { sandbox in
            let server = try UploadServer(in: sandbox.root)
            let source = sandbox.root + "/growing.log"
            _ = try TestFiles.random(at: source, size: 16 * Self.mebibyte)
            // Slow on both ends (2 MiB/s): the upload takes about eight seconds.
            let outcome = try sandbox.bgxfer(
                "upload", source, server.url("growing.log?rate=2097152"), "-X", "PUT", "--limit-rate", "2M")
            let id = try #require(outcome.lines.first, "\(outcome.stderr)")
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 2 * Self.mebibyte)) != nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: source))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("one more line\n".utf8))
            try handle.close()

            #expect(try sandbox.bgxfer("wait", id).status == 1)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed")
            let error = try #require(task["error"] as? [String: Any])
            #expect(error["code"] as? String == "source-changed")
            #expect(
                (error["message"] as? String)?.hasPrefix("\(source) changed while it was being sent: its size changed") == true,
                "\(error)")
            #expect(!FileManager.default.fileExists(atPath: server.root + "/growing.log"), "a mixture was stored")
        }
    }

    @Test func anFTPUploadIsStoredWhole() throws {
        try withSandbox { sandbox in
            let ftp = try FTPServer(in: sandbox.root)
            defer { ftp.stop() }
            let source = sandbox.root + "/up.bin"
            let digest = try TestFiles.random(at: source, size: 5 * Self.mebibyte)
            let task = try Self.upload(sandbox, [source, ftp.url("up.bin")])
            #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
            #expect(try TestFiles.sha256(ftp.root + "/up.bin") == digest)
        }
    }

    @Test func anFTPUploadKilledMidwayContinuesWithAPPE() throws {
        try withSandbox { sandbox in
            let ftp = try FTPServer(in: sandbox.root, rate: 4 * Self.mebibyte)
            defer { ftp.stop() }
            let size = 24 * Self.mebibyte
            let source = sandbox.root + "/resumed.bin"
            let digest = try TestFiles.random(at: source, size: size)
            let id = try #require(try sandbox.bgxfer("upload", source, ftp.url("resumed.bin")).lines.first)
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 8 * Self.mebibyte)) != nil)
            let worker = try #require(sandbox.workerPIDs().first)
            #expect(kill(worker, SIGKILL) == 0)
            #expect(Await.exit(of: worker, timeout: 5))

            #expect(try sandbox.bgxfer("wake").status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(ftp.root + "/resumed.bin") == digest)
            // pyftpdlib logs each transfer with its bytes: a STOR cut off, then an APPE of the rest.
            let log = try String(contentsOfFile: sandbox.root + "/ftp.log", encoding: .utf8)
            let appends = log.split(separator: "\n").filter { $0.contains("APPE") && $0.contains("completed=1") }
            let appended = try #require(
                appends.last?.split(separator: " ").first { $0.hasPrefix("bytes=") }.flatMap { Int($0.dropFirst(6)) },
                "no completed APPE in the FTP log")
            #expect(appended < size - 6 * Self.mebibyte, "APPE sent \(appended) of \(size) bytes")
        }
    }

    @Test func listSeparatesUploadsFromDownloads() throws {
        try withSandbox { sandbox in
            let server = try UploadServer(in: sandbox.root)
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("d.bin", size: 1024)
            let source = sandbox.root + "/u.bin"
            _ = try TestFiles.random(at: source, size: 1024)
            let upload = try Self.upload(sandbox, [source, server.url("u.bin")])["id"] as? String
            let download = try sandbox.download(nginx.url("d.bin"))
            #expect(try sandbox.bgxfer("wait", download).status == 0)
            func ids(_ flag: String) throws -> [String] {
                let outcome = try sandbox.bgxfer("list", flag, "--json")
                let tasks = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
                return tasks.compactMap { $0["id"] as? String }
            }
            #expect(try ids("--uploads") == [upload].compactMap { $0 })
            #expect(try ids("--downloads") == [download])
        }
    }
}
