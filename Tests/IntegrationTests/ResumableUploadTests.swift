import Foundation
import Testing

/// Resumable uploads (issue 6): tus 1.0 against PyPI's tuspyserver, IETF Resumable Uploads for
/// HTTP (draft interop version 6) against a server on swift-nio-extras' NIOResumableUpload.
/// Both servers log every request with the body bytes that reached them, so a test can count
/// what was sent twice.
@Suite struct ResumableUploadTests {
    static let mebibyte = 1 << 20
    /// `ResumableUpload.chunkSize`: the most a tus upload may re-send after a kill.
    static let chunk = 4 << 20

    /// Body bytes the server received for uploads (rufh creation with its body, appends).
    static func bodyBytes(_ server: AnnouncingServer) throws -> Int {
        try (server.requests("POST") + server.requests("PUT") + server.requests("PATCH"))
            .reduce(0) { $0 + ($1["bodyBytes"] as? Int ?? 0) }
    }

    /// Where the server stored the upload of `task` once complete.
    static func stored(_ server: AnnouncingServer, _ task: [String: Any], name: String) throws -> String {
        guard let resource = task["uploadURL"] as? String else { throw HarnessError.failed("no upload resource in \(task)") }
        // tuspyserver keeps upload <id> as ROOT/<id>; rufh-server names the file after the request path.
        return server.root + "/" + (server.name.hasPrefix("tus") ? URL(fileURLWithPath: resource).lastPathComponent : name)
    }

    /// Starts an upload of `size` bytes to a server reading at 4 MiB/s, kills its worker with
    /// SIGKILL past 8 MiB, and wakes a new one: the upload must complete byte-identical, and
    /// the server must have received at most one chunk more than the file.
    /// `afterKill`: what the test waits for before the new worker starts.
    func killAndWake(
        _ server: AnnouncingServer, _ sandbox: Sandbox, kind: String, url: String, afterKill: () throws -> Void = {}
    ) throws {
        let size = 24 * Self.mebibyte
        let source = sandbox.root + "/payload.bin"
        let digest = try TestFiles.random(at: source, size: size)
        let outcome = try sandbox.bgxfer("upload", source, url, "--protocol", kind)
        let id = try #require(outcome.lines.first, "\(outcome.stderr)")
        // Past 10 MiB: in the middle of tus's third chunk (8 to 12 MiB), which the server is
        // then receiving (the client cannot have begun it before the second was acknowledged).
        #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 10 * Self.mebibyte)) != nil)
        let before = try sandbox.task(id)
        #expect(before["uploadURL"] is String, "the upload resource is stored while the upload runs")
        let worker = try #require(sandbox.workerPIDs().first)
        #expect(kill(worker, SIGKILL) == 0)
        #expect(Await.exit(of: worker, timeout: 5))
        try afterKill()

        #expect(try sandbox.bgxfer("wake").status == 0)
        #expect(try sandbox.bgxfer("wait", id).status == 0)
        let task = try sandbox.task(id)
        #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
        #expect(task["uploadURL"] as? String == before["uploadURL"] as? String, "the same upload resource was continued")
        #expect(try TestFiles.sha256(Self.stored(server, task, name: "payload.bin")) == digest)
        #expect(try server.requests("HEAD").count >= 1, "the new worker asked the server for its offset")
        let resent = try Self.bodyBytes(server) - size
        #expect(resent >= 0 && resent <= Self.chunk, "\(resent) bytes were sent twice")
    }

    @Test func aTusUploadKilledMidwayContinuesResendingAtMostOneChunk() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.tus(in: sandbox.root, rate: 4 * Self.mebibyte)
            // tuspyserver records what a cut-off PATCH brought only once that request has ended
            // (and makes a PATCH that comes sooner wait 30 s for its lock, then answers 503,
            // which the client retries): here the new worker starts once the server has logged
            // the end of the PATCH that was in flight, the third chunk's.
            try killAndWake(server, sandbox, kind: "tus", url: server.url("files/")) {
                let ended = try server.await(timeout: 30) {
                    $0["method"] as? String == "PATCH" && $0["Upload-Offset"] as? String == "\(2 * Self.chunk)"
                }
                #expect(ended, "the server never logged the end of the PATCH in flight")
            }
            // Chunks of at most 4 MiB, each at the offset the server gave; this server offers no
            // checksum extension, so none carried Upload-Checksum.
            let patches = try server.requests("PATCH")
            #expect(patches.count >= 6 && patches.allSatisfy { ($0["bodyBytes"] as? Int ?? .max) <= Self.chunk })
            #expect(patches.allSatisfy { $0["Upload-Checksum"] == nil && $0["Content-Type"] as? String == "application/offset+octet-stream" })
            let creation = try #require(try server.requests("POST").first)
            #expect((creation["Upload-Metadata"] as? String)?.hasPrefix("filename cGF5bG9hZC5iaW4=,filetype ") == true)
        }
    }

    @Test func tusChunksCarryChecksumsAndADamagedChunkIsSentAgain() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.tusWithChecksums(in: sandbox.root, corruptFirst: 2)
            let size = 10 * Self.mebibyte
            let source = sandbox.root + "/checked.bin"
            let digest = try TestFiles.random(at: source, size: size)
            let task = try UploadTests.upload(sandbox, [source, server.url("files/"), "--protocol", "tus"])
            #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
            #expect(try TestFiles.sha256(Self.stored(server, task, name: "")) == digest)
            let patches = try server.requests("PATCH")
            // The server offers sha1: every chunk carried its digest; the two it damaged were
            // refused (460) and sent again at the same offset.
            #expect(patches.allSatisfy { ($0["Upload-Checksum"] as? String)?.hasPrefix("sha1 ") == true }, "\(patches)")
            #expect(patches.map { $0["status"] as? Int } == [460, 460, 204, 204, 204], "\(patches)")
            #expect(patches.prefix(3).allSatisfy { $0["Upload-Offset"] as? String == "0" })
            let log = try sandbox.bgxfer("show", task["id"] as? String ?? "").stdout
            #expect(log.contains("2 damaged chunk(s) sent again"), "\(log)")
        }
    }

    @Test func anEmptyFileUploadsOverTus() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.tus(in: sandbox.root)
            let source = sandbox.root + "/empty"
            #expect(FileManager.default.createFile(atPath: source, contents: Data()))
            let task = try UploadTests.upload(sandbox, [source, server.url("files/"), "--protocol", "tus"])
            #expect(task["state"] as? String == "completed", "\(task["error"] ?? "")")
            #expect(try Data(contentsOf: URL(fileURLWithPath: Self.stored(server, task, name: ""))).isEmpty)
        }
    }

    @Test func anRUFHUploadKilledMidwayContinuesFromTheServersOffset() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.rufh(in: sandbox.root, rate: 4 * Self.mebibyte)
            try killAndWake(server, sandbox, kind: "rufh", url: server.url("up/payload.bin"))
            let append = try #require(try server.requests("PATCH").last)
            #expect(append["contentType"] as? String == "application/partial-upload")
            #expect(append["uploadComplete"] as? Bool == true)
        }
    }

    @Test func cancelWithResumeDataThenResumeAsksTheServerWhereToGoOn() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.rufh(in: sandbox.root, rate: 2 * Self.mebibyte)
            let size = 12 * Self.mebibyte
            let source = sandbox.root + "/later.bin"
            let digest = try TestFiles.random(at: source, size: size)
            let reply = sandbox.root + "/reply.json"
            let id = try #require(
                try sandbox.bgxfer("upload", source, server.url("up/later.bin"), "--protocol", "rufh", "--reply", reply).lines.first)
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 3 * Self.mebibyte)) != nil)
            let resumeData = sandbox.root + "/later.resume"
            #expect(try sandbox.bgxfer("cancel", id, "--resume-data", resumeData).status == 0)
            let data = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resumeData))) as? [String: Any])
            #expect(data["kind"] as? String == "upload")
            #expect(data["protocol"] as? String == "rufh")
            #expect((data["uploadURL"] as? String)?.contains("/resumable_upload/") == true, "\(data)")
            #expect((data["source"] as? [String: Any])?["path"] as? String == source)
            #expect(try sandbox.task(id)["state"] as? String == "canceled")
            #expect(try server.requests("DELETE").isEmpty, "an upload canceled with resume data is kept on the server")

            let resumed = try sandbox.bgxfer("resume", "--resume-data", resumeData)
            let newID = try #require(resumed.lines.first, "\(resumed.stderr)")
            #expect(try sandbox.bgxfer("wait", newID).status == 0)
            #expect(try TestFiles.sha256(server.root + "/later.bin") == digest)
            #expect(try server.requests("HEAD").count == 1)
            #expect(try Self.bodyBytes(server) - size <= Self.chunk)
            let body = try String(contentsOfFile: reply, encoding: .utf8)
            #expect(body.contains(digest), "the reply file holds the server's answer: \(body)")
        }
    }

    @Test func aCanceledResumableUploadIsDeletedOnTheServer() throws {
        try withSandbox { sandbox in
            let tus = try AnnouncingServer.tus(in: sandbox.root, rate: Self.mebibyte)
            let rufh = try AnnouncingServer.rufh(in: sandbox.root, rate: Self.mebibyte)
            let source = sandbox.root + "/dropped.bin"
            _ = try TestFiles.random(at: source, size: 8 * Self.mebibyte)
            // Running: the worker deletes the resource it holds.
            let running = try #require(
                try sandbox.bgxfer("upload", source, rufh.url("up/dropped.bin"), "--protocol", "rufh").lines.first)
            #expect(try ResumeTests.follow(sandbox, running, until: ResumeTests.progressed(to: Self.mebibyte)) != nil)
            #expect(try sandbox.bgxfer("cancel", running).status == 0)
            #expect(sandbox.awaitWorkersGone())
            #expect(try rufh.requests("DELETE").count == 1)
            // Suspended (no worker): cancel itself deletes it.
            let suspended = try #require(
                try sandbox.bgxfer("upload", source, tus.url("files/"), "--protocol", "tus").lines.first)
            #expect(try ResumeTests.follow(sandbox, suspended, until: ResumeTests.progressed(to: Self.mebibyte)) != nil)
            #expect(try sandbox.bgxfer("suspend", suspended).status == 0)
            #expect(sandbox.awaitWorkersGone())
            #expect(try sandbox.bgxfer("cancel", suspended).status == 0)
            let deletes = try tus.requests("DELETE")
            #expect(deletes.count == 1 && deletes.first?["status"] as? Int == 204, "\(deletes)")
            let log = try sandbox.bgxfer("show", suspended).stdout
            #expect(log.contains("the server deleted the upload resource (204)"), "\(log)")
        }
    }

    @Test func anUploadTheServerForgotStartsAgainAndSaysWhy() throws {
        try withSandbox { sandbox in
            let server = try AnnouncingServer.tus(in: sandbox.root, rate: 2 * Self.mebibyte)
            let size = 10 * Self.mebibyte
            let source = sandbox.root + "/forgotten.bin"
            let digest = try TestFiles.random(at: source, size: size)
            let id = try #require(try sandbox.bgxfer("upload", source, server.url("files/"), "--protocol", "tus").lines.first)
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 2 * Self.mebibyte)) != nil)
            #expect(try sandbox.bgxfer("suspend", id).status == 0)
            #expect(sandbox.awaitWorkersGone())
            let first = try #require(try sandbox.task(id)["uploadURL"] as? String)
            // The server loses the upload (expired, cleaned up): its files are gone.
            let upload = server.root + "/" + URL(fileURLWithPath: first).lastPathComponent
            try FileManager.default.removeItem(atPath: upload)
            try FileManager.default.removeItem(atPath: upload + ".info")

            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            let task = try sandbox.task(id)
            let second = try #require(task["uploadURL"] as? String)
            #expect(second != first)
            #expect(try TestFiles.sha256(Self.stored(server, task, name: "")) == digest)
            #expect((task["restartNote"] as? String)?.contains("the server no longer knows the upload resource") == true, "\(task)")
        }
    }
}
