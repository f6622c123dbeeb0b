import Foundation
import Testing

/// Interrupted transfers always finish correctly: the real binary against the fault server.
@Suite(.serialized) struct ResumeTests {
    static let mebibyte = 1 << 20

    /// `wait --json` for `id`, read until an event satisfies `predicate`; returns it.
    static func follow(
        _ sandbox: Sandbox, _ id: String, until predicate: ([String: Any]) -> Bool
    ) throws -> [String: Any]? {
        let follower = try StreamingCommand(Binary.path, ["wait", "--json", id], environment: sandbox.environment)
        defer { follower.stop() }
        while let line = follower.nextLine() {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if predicate(event) { return event }
        }
        return nil
    }

    static func progressed(to bytes: Int) -> ([String: Any]) -> Bool {
        { $0["event"] as? String == "progress" && ($0["bytesTransferred"] as? Int ?? 0) >= bytes }
    }

    static func entered(_ state: String) -> ([String: Any]) -> Bool {
        { $0["event"] as? String == "state" && $0["state"] as? String == state }
    }

    @Test func killedTenTimesTheDownloadStillEndsByteIdentical() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 128 * Self.mebibyte
            let digest = try server.serve("big.bin", size: size)
            try server.faults("big.bin", ["rate": 8 * Self.mebibyte])
            let id = try sandbox.download(server.url("big.bin"))

            var generator = SystemRandomNumberGenerator()
            for round in 1...10 {
                let threshold = round * 11 * Self.mebibyte + Int.random(in: 0..<(4 * Self.mebibyte), using: &generator)
                #expect(try Self.follow(sandbox, id, until: Self.progressed(to: threshold)) != nil)
                let worker = try #require(sandbox.workerPIDs().first)
                #expect(kill(worker, SIGKILL) == 0)
                #expect(Await.exit(of: worker, timeout: 5))
                let wake = try sandbox.bgxfer("wake")
                #expect(wake.status == 0, "\(wake.stderr)")
            }
            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)
            let sent = try server.stats("big.bin").bytesSent
            #expect(Double(sent) <= 1.25 * Double(size), "the server sent \(sent) bytes for a \(size)-byte file")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["big.bin"])
        }
    }

    @Test func aConnectionDroppedThreeTimesCompletesByItself() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 8 * Self.mebibyte
            let digest = try server.serve("a.bin", size: size)
            let drop = ["drop_after": 2 * Self.mebibyte]
            try server.faults("a.bin", ["plan": [drop, drop, drop]])
            let id = try sandbox.download(server.url("a.bin"))
            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("a.bin")) == digest)
            #expect(try sandbox.task(id)["attempts"] as? Int == 4)
            let stats = try server.stats("a.bin")
            #expect(stats.requests.count == 4)
            // Each retry asked for the rest only, conditionally on the same file.
            for request in stats.requests.dropFirst() {
                #expect((request["range"] as? String)?.hasPrefix("bytes=") == true)
                #expect(request["if_range"] is String)
                #expect(request["status"] as? Int == 206)
            }
            #expect(stats.bytesSent <= size + 3 * Self.mebibyte, "sent \(stats.bytesSent)")
        }
    }

    @Test func aFileReplacedBetweenAttemptsIsNeverSpliced() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            try server.serve("doc.bin", size: 6 * Self.mebibyte)
            try server.faults("doc.bin", ["plan": [["drop_after": 3 * Self.mebibyte]]])
            let id = try sandbox.download(server.url("doc.bin"))
            // The first attempt dropped: replace the file before the retry.
            #expect(try Self.follow(sandbox, id, until: Self.entered("waiting")) != nil)
            let newDigest = try server.serve("doc.bin", size: 5 * Self.mebibyte)

            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("doc.bin")) == newDigest)
            let stats = try server.stats("doc.bin")
            #expect(stats.requests.last?["if_range"] is String)
            #expect(stats.requests.last?["status"] as? Int == 200)
            let show = try sandbox.bgxfer("show", id).stdout
            #expect(show.contains("Restarted:"), "\(show)")
        }
    }

    @Test func anIgnoredRangeOrAWrongContentRangeStillGivesTheRightFile() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let ignoredDigest = try server.serve("ignored.bin", size: 6 * Self.mebibyte)
            try server.faults("ignored.bin", ["ignore_range": true, "plan": [["drop_after": 2 * Self.mebibyte]]])
            let wrongDigest = try server.serve("wrong.bin", size: 6 * Self.mebibyte)
            try server.faults("wrong.bin", ["plan": [["drop_after": 2 * Self.mebibyte], ["wrong_start": true]]])

            let ignored = try sandbox.download(server.url("ignored.bin"))
            let wrong = try sandbox.download(server.url("wrong.bin"))
            let wait = try sandbox.bgxfer("wait", ignored, wrong)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("ignored.bin")) == ignoredDigest)
            #expect(try TestFiles.sha256(sandbox.file("wrong.bin")) == wrongDigest)
            // Ignored range: the 200 was written from zero in the same attempt.
            #expect(try server.stats("ignored.bin").requests.count == 2)
            #expect((try sandbox.task(ignored)["restartNote"] as? String)?.contains("whole file") == true)
            // Wrong start: that response was dropped and a fresh request made.
            let requests = try server.stats("wrong.bin").requests
            #expect(requests.count == 3)
            #expect(requests.last?["range"] is NSNull)
            #expect((try sandbox.task(wrong)["restartNote"] as? String)?.contains("not from") == true)
        }
    }

    @Test func retryAfterIsHonouredAndAFailedTaskResumesLater() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 4 * Self.mebibyte
            let digest = try server.serve("busy.bin", size: size)
            let unavailable: [String: Any] = ["status": 503, "retry_after": 2]
            try server.faults("busy.bin", ["plan": [["drop_after": Self.mebibyte], unavailable, unavailable]])
            let id = try sandbox.download(server.url("busy.bin"), "--retries", "3")
            #expect(try sandbox.bgxfer("wait", id).status == 1)

            var task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed")
            #expect((task["error"] as? [String: Any])?["code"] as? String == "http-503")
            #expect(task["resumable"] as? Bool == true)
            #expect(task["durableBytes"] as? Int == Self.mebibyte)
            let partial = try #require(task["partialPath"] as? String)
            #expect(fileSize(partial) == Self.mebibyte)
            let times = try server.stats("busy.bin").requests.compactMap { $0["time"] as? Double }
            #expect(times.count == 3)
            #expect(times[2] - times[1] >= 2, "the attempt after Retry-After: 2 came \(times[2] - times[1]) s later")

            // The server has recovered: resume continues from the kept bytes.
            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("busy.bin")) == digest)
            let requests = try server.stats("busy.bin").requests
            #expect(requests.last?["range"] as? String == "bytes=\(Self.mebibyte)-")
            task = try sandbox.task(id)
            #expect(task["state"] as? String == "completed")
        }
    }

    @Test func aStalledTransferIsAbandonedAfterTheNoProgressTimeoutAndRetried() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let digest = try server.serve("stall.bin", size: 3 * Self.mebibyte)
            try server.faults("stall.bin", ["plan": [["stall_after": Self.mebibyte, "stall": 8]]])
            let id = try sandbox.download(server.url("stall.bin"), "--no-progress-timeout", "2s")
            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("stall.bin")) == digest)
            #expect(try sandbox.task(id)["attempts"] as? Int == 2)
            let log = (try sandbox.task(id)["log"] as? [String] ?? []).joined(separator: "\n")
            #expect(log.contains("retrying"), "\(log)")
        }
    }

    @Test func aFullDiskFailsTheTaskAndResumeCompletesOnceThereIsSpace() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 12 * Self.mebibyte
            let digest = try server.serve("big.bin", size: size)
            let small = sandbox.root + "/small"
            try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
            let mount = try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", small], environment: [:])
            try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.stderr)")
            defer { _ = try? Command.run("/bin/umount", [small], environment: [:]) }

            let id = try sandbox.download(server.url("big.bin"), "-d", small)
            #expect(try sandbox.bgxfer("wait", id).status == 1)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed")
            let error = try #require(task["error"] as? [String: Any])
            #expect(error["code"] as? String == "write-error")
            #expect((error["message"] as? String)?.contains("No space left on device") == true)
            #expect(task["resumable"] as? Bool == true)
            #expect(FileManager.default.fileExists(atPath: try #require(task["partialPath"] as? String)))
            #expect(try sandbox.bgxfer("list").status == 0, "the store is intact")

            // Free space, then resume.
            let grow = try Command.run("/bin/mount", ["-o", "remount,size=32m", small], environment: [:])
            try #require(grow.status == 0, "\(grow.stderr)")
            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(small + "/big.bin") == digest)
            #expect(try FileManager.default.contentsOfDirectory(atPath: small) == ["big.bin"])
            #expect(try server.stats("big.bin").requests.last?["range"] is String)
        }
    }

    @Test func suspendThenResumeKeepsEveryByte() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 32 * Self.mebibyte
            let digest = try server.serve("s.bin", size: size)
            try server.faults("s.bin", ["rate": 8 * Self.mebibyte])
            let id = try sandbox.download(server.url("s.bin"))
            #expect(try Self.follow(sandbox, id, until: Self.progressed(to: 6 * Self.mebibyte)) != nil)
            let worker = try #require(sandbox.workerPIDs().first)

            #expect(try sandbox.bgxfer("suspend", id).status == 0)
            #expect(Await.exit(of: worker, timeout: 10), "the worker kept running with nothing to do")
            var task = try sandbox.task(id)
            #expect(task["state"] as? String == "suspended")
            let kept = try #require(task["durableBytes"] as? Int)
            #expect(kept >= 6 * Self.mebibyte)
            let partial = try #require(task["partialPath"] as? String)
            #expect((fileSize(partial) ?? 0) >= kept)

            try server.faults("s.bin", ["rate": NSNull()])
            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("s.bin")) == digest)
            #expect(try server.stats("s.bin").requests.last?["range"] as? String == "bytes=\(kept)-")
            task = try sandbox.task(id)
            #expect(task["restartNote"] is NSNull)
        }
    }

    @Test func cancelWithResumeDataThenResumeFromItAfterTheTaskIsGone() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 32 * Self.mebibyte
            let digest = try server.serve("r.bin", size: size)
            try server.faults("r.bin", ["rate": 8 * Self.mebibyte])
            let id = try sandbox.download(
                server.url("r.bin"), "-H", "Authorization: Bearer sekrit", "--limit-rate", "16M", "--give-up-after", "3h",
                "--metered", "wait")
            #expect(try Self.follow(sandbox, id, until: Self.progressed(to: 6 * Self.mebibyte)) != nil)

            let data = sandbox.root + "/r.resume.json"
            let cancel = try sandbox.bgxfer("cancel", id, "--resume-data", data)
            #expect(cancel.status == 0, "\(cancel.stderr) \(sandbox.describe(id)) \(HeldScript.read(sandbox.state + "/bgxfer/log/task-\(id).log"))")
            #expect(try FileManager.default.attributesOfItem(atPath: data)[.posixPermissions] as? Int == 0o600)
            let document = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data))) as? [String: Any])
            for key in ["version", "kind", "url", "destination", "partialPath", "bytesReceived", "etag", "lastModified",
                "expectedLength", "headers"]
            {
                #expect(document.keys.contains(key), "resume data lacks \(key)")
            }
            #expect(document["version"] as? Int == 2)
            let received = try #require(document["bytesReceived"] as? Int)
            let partial = try #require(document["partialPath"] as? String)
            #expect(sandbox.awaitWorkersGone())
            // The worker flushed and recorded every byte before the resume data was written.
            #expect(fileSize(partial) == received, "the partial file has \(fileSize(partial) ?? -1) bytes, the data says \(received)")
            #expect(document["limitRate"] as? Int == 16 << 20 && document["giveUpAfter"] as? Int == 10800)
            #expect(try sandbox.bgxfer("remove", id).status == 0)

            // Damaged resume data is refused, and nothing is made.
            let bad = sandbox.root + "/bad.json"
            let refusals: [(String, Int32, String)] = [
                ("not json at all", 64, "is not bgxfer resume data"),
                ("{\"version\": 3}", 64, "version 3"),
                (try Self.edit(document, "bytesReceived", size), 1, "is stale"),
                (try Self.edit(document, "partialPath", partial.replacingOccurrences(of: id, with: "zzzzzz")), 1, "is gone"),
                (try Self.edit(document, "bytesReceived", "many"), 64, "damaged"),
            ]
            for (content, status, message) in refusals {
                try content.write(toFile: bad, atomically: true, encoding: .utf8)
                let outcome = try sandbox.bgxfer("resume", "--resume-data", bad)
                #expect(outcome.status == status, "\(content): \(outcome.stderr)")
                #expect(outcome.stderr.contains(message) && outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
                #expect(try sandbox.tasks().isEmpty)
            }

            try server.faults("r.bin", ["rate": NSNull()])
            let resumed = try sandbox.bgxfer("resume", "--resume-data", data, "--retries", "7")
            try #require(resumed.status == 0, "\(resumed.stderr)")
            let newID = try #require(resumed.lines.first)
            #expect(newID != id)
            // The task's options came along; what resume was given overrides them.
            let continued = try sandbox.task(newID)
            #expect(continued["limitRate"] as? Int == 16 << 20 && continued["giveUpAfter"] as? Int == 10800)
            #expect(continued["metered"] as? String == "wait" && continued["retries"] as? Int == 7)
            #expect(try sandbox.bgxfer("wait", newID).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("r.bin")) == digest)
            let last = try #require(try server.stats("r.bin").requests.last)
            #expect(last["range"] as? String == "bytes=\(received)-")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["r.bin"])
        }
    }

    @Test func resumeDataContinuesOnAnotherFileSystem() throws {
        try withSandbox { sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 24 * Self.mebibyte
            let digest = try server.serve("x.bin", size: size)
            try server.faults("x.bin", ["rate": 8 * Self.mebibyte])
            let id = try sandbox.download(server.url("x.bin"))
            #expect(try Self.follow(sandbox, id, until: Self.progressed(to: 6 * Self.mebibyte)) != nil)
            let data = sandbox.root + "/x.resume"
            let cancel = try sandbox.bgxfer("cancel", id, "--resume-data", data)
            #expect(cancel.status == 0, "\(cancel.stderr) \(sandbox.describe(id)) \(HeldScript.read(sandbox.state + "/bgxfer/log/task-\(id).log"))")
            #expect(sandbox.awaitWorkersGone())
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: data))) as? [String: Any]
            let received = try #require(document?["bytesReceived"] as? Int)
            let partial = try #require(document?["partialPath"] as? String)

            // A tmpfs elsewhere: the partial file cannot be renamed there, it is copied.
            let other = sandbox.root + "/other-fs"
            try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
            let mount = try Command.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", other], environment: [:])
            try #require(mount.status == 0, "mounting a tmpfs needs root: \(mount.stderr)")
            defer { _ = try? Command.run("/bin/umount", [other], environment: [:]) }
            try server.faults("x.bin", ["rate": NSNull()])
            let resumed = try sandbox.bgxfer("resume", "--resume-data", data, "-o", other + "/x.bin")
            let newID = try #require(resumed.lines.first, "\(resumed.stderr)")
            #expect(try sandbox.bgxfer("wait", newID).status == 0)
            #expect(try TestFiles.sha256(other + "/x.bin") == digest)
            #expect(try server.stats("x.bin").requests.last?["range"] as? String == "bytes=\(received)-")
            #expect(!FileManager.default.fileExists(atPath: partial), "the original partial file was left behind")
            #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["x.bin"])
        }
    }

    @Test func anFTPDownloadContinuesWithRESTAfterItsWorkerIsKilled() throws {
        try withSandbox { sandbox in
            // Throttled by the server: curl 7.88's own --limit-rate lets FTP data through in bursts.
            let ftp = try FTPServer(in: sandbox.root, rate: 8 * Self.mebibyte)
            defer { ftp.stop() }
            let size = 48 * Self.mebibyte
            let digest = try TestFiles.random(at: ftp.root + "/data.bin", size: size)
            let id = try sandbox.download(ftp.url("data.bin"))
            // Killed once some bytes are flushed and recorded (the first flush comes half a second
            // in, racing the first progress record): checked at each progress event.
            let flushed = { (event: [String: Any]) in
                Self.progressed(to: 2 * Self.mebibyte)(event) && ((try? sandbox.task(id)["durableBytes"] as? Int) ?? 0) > 0
            }
            let event = try #require(try Self.follow(sandbox, id, until: flushed))
            #expect((event["bytesTransferred"] as? Int ?? size) < size)
            let worker = try #require(sandbox.workerPIDs().first)
            #expect(kill(worker, SIGKILL) == 0)
            #expect(Await.exit(of: worker, timeout: 5))
            let durable = try #require(try sandbox.task(id)["durableBytes"] as? Int)
            #expect(durable > 0)

            #expect(try sandbox.bgxfer("wake").status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("data.bin")) == digest)
            // pyftpdlib logs each RETR with the bytes it sent: after REST <durable>, the rest only.
            let log = try String(contentsOfFile: sandbox.root + "/ftp.log", encoding: .utf8)
            let retrievals = log.split(separator: "\n").filter { $0.contains("RETR ") }
            #expect(retrievals.count == 2)
            #expect(retrievals.last?.contains("bytes=\(size - durable) ") == true, "\(retrievals)")
            #expect(try sandbox.task(id)["restartNote"] is NSNull)
        }
    }

    static func edit(_ document: [String: Any], _ key: String, _ value: Any) throws -> String {
        var copy = document
        copy[key] = value
        return String(decoding: try JSONSerialization.data(withJSONObject: copy), as: UTF8.self)
    }
}

/// The size of a file, or nil when there is none.
func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
}
