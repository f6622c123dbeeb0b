import Foundation
import Testing

/// `bgxfer session`: parallelism, finish and cancel (Apple's `finishTasksAndInvalidate` and
/// `invalidateAndCancel`), with the real binary, worker and nginx.
@Suite(.serialized) struct SessionTests {
    static let mebibyte = 1 << 20

    /// `session list --json`, parsed, by name.
    static func sessions(_ sandbox: Sandbox) throws -> [String: [String: Any]] {
        let outcome = try sandbox.bgxfer("session", "list", "--json")
        guard outcome.status == 0 else { throw HarnessError.failed("session list --json: \(outcome.stderr)") }
        let list = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: list.compactMap { session in (session["name"] as? String).map { ($0, session) } })
    }

    /// How many of the session's tasks are running, as `list` sees the store.
    static func running(_ sandbox: Sandbox, session: String) throws -> Int {
        try sandbox.bgxfer("list", "--json", "--session", session, "--state", "running").stdout
            .split(separator: "\n").filter { $0.contains(#""id""#) }.count
    }

    /// Watches the session until `done` says so (or 60 s pass); returns the most tasks seen
    /// running at once.
    static func mostRunning(_ sandbox: Sandbox, session: String, until done: () throws -> Bool) throws -> Int {
        var most = 0
        let deadline = Date().addingTimeInterval(60)
        while try !done(), Date() < deadline {
            most = max(most, try running(sandbox, session: session))
        }
        return most
    }

    @Test func aSessionRunsAtMostItsParallelismAndFollowsAChangeWhileRunning() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("part.bin", size: 2 * Self.mebibyte)
            #expect(try sandbox.bgxfer("session", "set", "batch", "--parallel", "1").status == 0)
            let ids = try (0..<5).map {
                try sandbox.download(nginx.url("part.bin"), "-o", "p\($0).bin", "--limit-rate", "1M", "--session", "batch")
            }
            // One at a time until the first has finished…
            let first = try Self.mostRunning(sandbox, session: "batch") {
                try sandbox.task(ids[0])["state"] as? String == "completed"
            }
            #expect(first == 1)
            #expect(try Self.sessions(sandbox)["batch"]?["parallelism"] as? Int == 1)

            // …then three: the worker reads the new number as soon as the store changes.
            #expect(try sandbox.bgxfer("session", "set", "batch", "--parallel", "3").status == 0)
            let rest = try Self.mostRunning(sandbox, session: "batch") {
                try sandbox.tasks().allSatisfy { $0["state"] as? String == "completed" }
            }
            #expect(rest == 3)
            #expect(try sandbox.bgxfer(["wait"] + ids).status == 0)
            // Other sessions keep the default.
            _ = try sandbox.download(nginx.url("part.bin"), "-o", "other.bin")
            #expect(try Self.sessions(sandbox)["default"]?["parallelism"] as? Int == 6)
        }
    }

    @Test func aFinishingSessionTakesNoNewTaskUntilItsTasksHaveEnded() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("a.bin", size: 4 * Self.mebibyte)
            #expect(try sandbox.bgxfer("session", "set", "s", "--parallel", "1").status == 0)
            let running = try sandbox.download(nginx.url("a.bin"), "-o", "a.bin", "--limit-rate", "2M", "--session", "s")
            let queued = try sandbox.download(nginx.url("a.bin"), "-o", "b.bin", "--limit-rate", "2M", "--session", "s")

            let finish = try sandbox.bgxfer("session", "finish", "s")
            #expect(finish.status == 0)
            #expect(finish.stderr == "session s is finishing: it takes no new task until its 2 remaining task(s) have ended\n")
            #expect(try Self.sessions(sandbox)["s"]?["state"] as? String == "finishing")

            // New work in it is refused, with nothing made; other sessions are not concerned.
            let refused = try sandbox.bgxfer("download", nginx.url("a.bin"), "-o", "c.bin", "--session", "s")
            #expect(refused.status == 1 && refused.stdout.isEmpty)
            #expect(refused.stderr == "bgxfer: session s is finishing: it takes no new task until its 2 remaining task(s) have ended\n")
            let source = sandbox.root + "/up.bin"
            _ = try TestFiles.random(at: source, size: 1024)
            #expect(try sandbox.bgxfer("upload", source, nginx.url("up.bin"), "--session", "s").status == 1)
            #expect(try sandbox.bgxfer("refresh", "add", nginx.url("a.bin"), "-o", sandbox.file("r.bin"), "--every", "1h", "--session", "s").status == 1)
            #expect(try sandbox.tasks().count == 2)
            #expect(!FileManager.default.fileExists(atPath: sandbox.file("c.bin")))
            _ = try sandbox.download(nginx.url("a.bin"), "-o", "elsewhere.bin")

            // Its own tasks go on, the queued one included.
            #expect(try sandbox.bgxfer("wait", running, queued).status == 0)
            #expect(try Self.sessions(sandbox)["s"]?["state"] as? String == "open")
            // Then it takes tasks again.
            let again = try sandbox.download(nginx.url("a.bin"), "-o", "c.bin", "--session", "s")
            #expect(try sandbox.bgxfer("wait", again).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("c.bin")) == TestFiles.sha256(nginx.documentRoot + "/a.bin"))
        }
    }

    @Test func cancelingASessionCancelsItsLiveTasksAndLeavesEndedOnes() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("a.bin", size: 8 * Self.mebibyte)
            let done = try sandbox.download(nginx.url("a.bin"), "-o", "done.bin", "--session", "s")
            #expect(try sandbox.bgxfer("wait", done).status == 0)
            let running = try sandbox.download(nginx.url("a.bin"), "-o", "run.bin", "--limit-rate", "1M", "--session", "s")
            let follower = try StreamingCommand(Binary.path, ["wait", "--json", running], environment: sandbox.environment)
            #expect(follower.line(where: { $0.contains(#""event":"progress""#) }) != nil)
            follower.stop()
            let suspended = try sandbox.download(nginx.url("a.bin"), "-o", "sus.bin", "--limit-rate", "1M", "--session", "s")
            #expect(try sandbox.bgxfer("suspend", suspended).status == 0)
            let scheduled = try sandbox.download(nginx.url("a.bin"), "-o", "later.bin", "--begin-after", "1h", "--session", "s")
            let other = try sandbox.download(nginx.url("a.bin"), "-o", "other.bin", "--limit-rate", "1M")
            let worker = try #require(try sandbox.task(running)["workerPid"] as? Int)

            let outcome = try sandbox.bgxfer("session", "cancel", "s")
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(Set(outcome.lines) == [running, suspended, scheduled])
            for id in [running, suspended, scheduled] { #expect(try sandbox.task(id)["state"] as? String == "canceled") }
            #expect(try sandbox.task(done)["state"] as? String == "completed")
            #expect(try sandbox.task(other)["state"] as? String != "canceled")
            #expect(Await.exit(of: Int32(worker), timeout: 10), "the session's worker kept running with nothing to do")
            // No partial file of the canceled tasks is left; the completed file stays.
            let left = try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads).filter { !$0.hasPrefix("other.bin") }
            #expect(left == ["done.bin"])
            #expect(try sandbox.bgxfer("cancel", other).status == 0)
        }
    }
}
