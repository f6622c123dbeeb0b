import Foundation
import Testing

/// The real `bgxfer` binary against a real nginx on loopback.
@Suite(.serialized) struct DownloadTests {
    static let mebibyte = 1 << 20

    @Test func aThrottledDownloadReturnsAtOnceAndWaitSeesItComplete() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("big.bin", size: 64 * Self.mebibyte)
            let id = try sandbox.download(nginx.url("big.bin"), "--limit-rate", "16M")

            // `download` has returned; the transfer has not finished, and nothing is under the
            // destination name yet.
            let state = try sandbox.task(id)["state"] as? String
            #expect(state == "queued" || state == "running")
            #expect(!FileManager.default.fileExists(atPath: sandbox.file("big.bin")))

            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "completed")
            #expect(task["bytesTransferred"] as? Int == 64 * Self.mebibyte)
            #expect(task["attempts"] as? Int == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["big.bin"])
            #expect(sandbox.awaitWorkersGone(), "the worker did not exit once its session was idle")
        }
    }

    @Test func theTransferSurvivesItsTerminalClosing() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("big.bin", size: 64 * Self.mebibyte)
            // The "terminal": a shell leading a session and process group of its own, as a
            // terminal emulator starts it (`setsid --fork`, so the shell itself is the leader).
            // It prints its PID, queues the download, then lingers like an open shell.
            let terminal = try StreamingCommand(
                "/usr/bin/setsid",
                ["--fork", "/bin/sh", "-c",
                 "echo $$; '\(Binary.path)' download '\(nginx.url("big.bin"))' --limit-rate 4M; exec sleep 600"],
                environment: sandbox.environment, directory: sandbox.downloads)
            defer { terminal.stop() }
            let shell = try #require(terminal.nextLine().flatMap { Int32($0) })
            defer { kill(-shell, SIGKILL) }
            let id = try #require(terminal.nextLine())
            #expect(getsid(shell) == shell && getpgid(shell) == shell)

            // Wait until bytes flow, so the worker is really transferring when the terminal dies.
            let follower = try StreamingCommand(
                Binary.path, ["wait", "--json", id], environment: sandbox.environment)
            #expect(follower.line(where: { $0.contains(#""event":"progress""#) }) != nil)
            follower.stop()
            let worker = try #require(sandbox.workerPIDs().first)
            #expect(getpgid(worker) != shell && getsid(worker) != shell)

            // Close the terminal: hangup to its session, then kill everything in its group.
            #expect(kill(-shell, SIGHUP) == 0)
            #expect(kill(-shell, SIGKILL) == 0 || errno == ESRCH)
            #expect(Await.exit(of: shell, timeout: 5), "the terminal's shell did not die")
            #expect(kill(worker, 0) == 0, "the worker died with the terminal")

            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)
            // The same worker finished it: nothing was restarted behind our back.
            #expect(try sandbox.task(id)["attempts"] as? Int == 1)
        }
    }

    @Test func fiftyDownloadsFromTenConcurrentProcesses() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            var digests: [String: String] = [:]
            for index in 0..<5 { digests["f\(index).bin"] = try nginx.serve("f\(index).bin", size: 256 * 1024 + index) }
            let script = (0..<5).map { "'\(Binary.path)' download '\(nginx.url("f\($0).bin"))' -o \"$1-\($0).bin\"" }
                .joined(separator: " && ")
            let processes = try (0..<10).map { process in
                let command = Process(withDefaultSignals: "/bin/sh", ["-c", script, "sh", "p\(process)"])
                command.environment = sandbox.environment
                command.currentDirectoryURL = URL(fileURLWithPath: sandbox.downloads)
                let output = Pipe(), errors = Pipe()
                command.standardOutput = output
                command.standardError = errors
                try command.run()
                return (command, output, errors)
            }
            var ids: [String] = []
            for (command, output, errors) in processes {
                let out = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                command.waitUntilExit()
                #expect(command.terminationStatus == 0)
                #expect(err.isEmpty, "stderr: \(err)")
                ids += out.split(separator: "\n").map(String.init)
            }
            #expect(ids.count == 50 && Set(ids).count == 50)

            let wait = try sandbox.bgxfer(["wait"] + ids)
            #expect(wait.status == 0, "\(wait.stderr)")
            let tasks = try sandbox.tasks()
            #expect(tasks.count == 50)
            #expect(tasks.allSatisfy { $0["state"] as? String == "completed" })
            for process in 0..<10 {
                for index in 0..<5 {
                    #expect(try TestFiles.sha256(sandbox.file("p\(process)-\(index).bin")) == digests["f\(index).bin"])
                }
            }
            #expect(sandbox.awaitWorkersGone())
            // One worker at a time per session: lock takes and releases strictly alternate.
            let log = try String(contentsOfFile: sandbox.state + "/bgxfer/log/worker-default.log", encoding: .utf8)
            var holding = false
            for line in log.split(separator: "\n") {
                if line.contains("worker started") || line.contains("took the session lock again") {
                    #expect(!holding, "two workers held the session lock: \(line)")
                    holding = true
                } else if line.contains("releasing the session lock") {
                    #expect(holding, "a lock released that was not taken: \(line)")
                    holding = false
                }
            }
        }
    }

    @Test func aNotFoundFailsTheTaskAndWritesNothing() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let id = try sandbox.download(nginx.url("missing.bin"))
            let wait = try sandbox.bgxfer("wait", "--json", id)
            #expect(wait.status == 1)
            #expect(wait.lines.last?.contains(#""event":"failed""#) == true)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed")
            let error = try #require(task["error"] as? [String: Any])
            #expect(error["code"] as? String == "http-404")
            #expect((error["message"] as? String)?.contains("404 Not Found") == true)
            #expect(task["httpStatus"] as? Int == 404)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads).isEmpty)
        }
    }

    @Test func aChecksumMismatchFailsTheTaskAndWritesNothing() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("a.bin", size: 3 * Self.mebibyte)
            let wrong = "sha256:" + String(repeating: "0", count: 64)
            let id = try sandbox.download(nginx.url("a.bin"), "--checksum", wrong)
            #expect(try sandbox.bgxfer("wait", id).status == 1)
            let task = try sandbox.task(id)
            #expect(task["state"] as? String == "failed")
            #expect((task["error"] as? [String: Any])?["code"] as? String == "checksum-mismatch")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads).isEmpty)

            // The right checksum passes.
            let good = try sandbox.download(nginx.url("a.bin"), "--checksum", "sha256:" + digest.uppercased())
            #expect(try sandbox.bgxfer("wait", good).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("a.bin")) == digest)
        }
    }

    @Test func jsonCarriesTheSpecFieldsAndSecretsNeverShow() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("doc.bin", size: 100_000)
            let secrets = ["sekrit-token", "sekrit-cookie", "sekrit-password"]
            let url = "http://alice:sekrit-password@127.0.0.1:\(nginx.port)/doc.bin"
            let id = try sandbox.download(
                url, "-H", "Authorization: Bearer sekrit-token", "-H", "Cookie: session=sekrit-cookie", "-o", "doc.bin")
            let events = try sandbox.bgxfer("wait", "--json", id)
            #expect(events.status == 0)

            let specKeys: Set<String> = [
                "id", "kind", "session", "state", "url", "destination", "bytesTransferred", "bytesExpected",
                "progress", "createdAt", "startedAt", "finishedAt", "attempts", "httpStatus", "resumable", "notify",
                "error", "workerPid",
            ]
            let listed = try #require(try sandbox.tasks().first)
            #expect(specKeys.isSubset(of: Set(listed.keys)), "missing: \(specKeys.subtracting(listed.keys))")
            let shown = try sandbox.task(id)
            #expect(specKeys.isSubset(of: Set(shown.keys)))
            #expect(shown["id"] as? String == id)
            #expect(shown["kind"] as? String == "download")
            #expect(shown["session"] as? String == "default")
            #expect(shown["state"] as? String == "completed")
            #expect(shown["url"] as? String == "http://alice:***@127.0.0.1:\(nginx.port)/doc.bin")
            #expect(shown["destination"] as? String == sandbox.file("doc.bin"))
            #expect(shown["bytesTransferred"] as? Int == 100_000)
            #expect(shown["bytesExpected"] as? Int == 100_000)
            #expect(shown["progress"] as? Double == 1)
            #expect(shown["httpStatus"] as? Int == 200)
            #expect(shown["error"] is NSNull && shown["workerPid"] is NSNull && shown["notify"] is NSNull)
            #expect(shown["finishedAt"] is String && shown["startedAt"] is String)
            #expect((shown["requestHeaders"] as? [String]) == ["Authorization: ***", "Cookie: ***"])

            // Every output, and every log, with the secrets in mind.
            var everything = events.stdout
            for arguments in [["list"], ["list", "--json"], ["show", id], ["show", "--json", id]] {
                let outcome = try sandbox.bgxfer(arguments)
                everything += outcome.stdout + outcome.stderr
            }
            let logs = sandbox.state + "/bgxfer/log"
            for name in try FileManager.default.contentsOfDirectory(atPath: logs) {
                everything += try String(contentsOfFile: logs + "/" + name, encoding: .utf8)
            }
            #expect(everything.contains("alice:***@"))
            for secret in secrets { #expect(!everything.contains(secret), "\(secret) leaked") }
        }
    }

    @Test func anFTPDownloadIsByteIdentical() throws {
        try withSandbox { sandbox in
            let ftp = try FTPServer(in: sandbox.root)
            defer { ftp.stop() }
            let digest = try TestFiles.random(at: ftp.root + "/data.bin", size: 5 * Self.mebibyte + 17)
            let id = try sandbox.download(ftp.url("data.bin"))
            let wait = try sandbox.bgxfer("wait", id)
            let details = try sandbox.bgxfer("show", id).stdout
            #expect(wait.status == 0, "\(wait.stderr) \(details)")
            #expect(try TestFiles.sha256(sandbox.file("data.bin")) == digest)
            #expect(try sandbox.task(id)["bytesExpected"] as? Int == 5 * Self.mebibyte + 17)
        }
    }

    /// `--limit-rate` holds from the first byte (libcurl's own limit, in Debian 12's curl 7.88,
    /// ran a quarter ahead of it), and the pauses that keep it lose or repeat no byte.
    @Test func aRateLimitHoldsAndPausingForItLosesNoByte() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let ftp = try FTPServer(in: sandbox.root)
            defer { ftp.stop() }
            let size = 12 * Self.mebibyte, rate = 4 * Self.mebibyte
            let sources = [
                (url: nginx.url("limited.bin"), name: "limited.bin", digest: try nginx.serve("limited.bin", size: size)),
                (url: ftp.url("limited-ftp.bin"), name: "limited-ftp.bin",
                 digest: try TestFiles.random(at: ftp.root + "/limited-ftp.bin", size: size)),
            ]
            for source in sources {
                let started = Date()
                let id = try sandbox.download(source.url, "--limit-rate", "4M", "--checksum", "sha256:\(source.digest)")
                let wait = try sandbox.bgxfer("wait", id)
                let elapsed = Date().timeIntervalSince(started)
                #expect(wait.status == 0, "\(wait.stderr)")
                // At most one chunk (curl's 512 KiB buffer) ahead of the rate: 2.875 s at least.
                let soonest = Double(size - 512 * 1024) / Double(rate)
                #expect(elapsed >= soonest, "\(source.name): \(size) bytes in \(elapsed) s at \(rate) bytes/s")
                #expect(try TestFiles.sha256(sandbox.file(source.name)) == source.digest)
            }
        }
    }

    @Test func cancelStopsTheTransferAndLeavesNothing() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("slow.bin", size: 64 * Self.mebibyte)
            let id = try sandbox.download(nginx.url("slow.bin"), "--limit-rate", "1M")
            let follower = try StreamingCommand(Binary.path, ["wait", "--json", id], environment: sandbox.environment)
            #expect(follower.line(where: { $0.contains(#""event":"progress""#) }) != nil)
            let worker = try #require(sandbox.workerPIDs().first)

            #expect(try sandbox.bgxfer("cancel", id).status == 0)
            #expect(follower.line(where: { $0.contains(#""state":"canceled""#) }) != nil)
            follower.stop()
            #expect(Await.exit(of: worker, timeout: 10), "the worker kept running after its only task was canceled")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads).isEmpty)
            #expect(try sandbox.bgxfer("wait", id).status == 1)
            // An ended task can be forgotten; the second time it is unknown.
            #expect(try sandbox.bgxfer("remove", id).status == 0)
            let again = try sandbox.bgxfer("remove", id)
            #expect(again.status == 1 && again.stderr == "bgxfer: no task \(id)\n")
        }
    }

    @Test func waitStartsANewWorkerWhenTheOldOneWasKilled() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let digest = try nginx.serve("big.bin", size: 64 * Self.mebibyte)
            let id = try sandbox.download(nginx.url("big.bin"), "--limit-rate", "8M")
            let follower = try StreamingCommand(Binary.path, ["wait", "--json", id], environment: sandbox.environment)
            #expect(follower.line(where: { $0.contains(#""event":"progress""#) }) != nil)
            follower.stop()
            let worker = try #require(sandbox.workerPIDs().first)
            kill(worker, SIGKILL)
            #expect(Await.exit(of: worker, timeout: 5))

            let wait = try sandbox.bgxfer("wait", id)
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)
            #expect(try sandbox.task(id)["attempts"] as? Int == 2)
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["big.bin"])
        }
    }

    @Test func removeRefusesARunningTaskAndCleanForgetsEndedOnes() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            try nginx.serve("a.bin", size: 64 * Self.mebibyte)
            let done = try sandbox.download(nginx.url("a.bin"))
            #expect(try sandbox.bgxfer("wait", done).status == 0)
            let slow = try sandbox.download(nginx.url("a.bin"), "-o", "b.bin", "--limit-rate", "512K")

            let refused = try sandbox.bgxfer("remove", slow)
            #expect(refused.status == 1)
            #expect(refused.stderr.hasPrefix("bgxfer: task \(slow) is ") && refused.stderr.hasSuffix("cancel it before removing it\n"))
            let cleaned = try sandbox.bgxfer("clean")
            #expect(cleaned.lines == [done])
            #expect(try sandbox.tasks().map { $0["id"] as? String } == [slow])
            #expect(FileManager.default.fileExists(atPath: sandbox.file("a.bin")), "clean deleted a downloaded file")
            #expect(try sandbox.bgxfer("cancel", slow).status == 0)
        }
    }
}

/// The committed completion scripts, run by a real shell against the real binary.
@Suite(.serialized) struct CompletionTests {
    @Test func bashCompletesTaskIDsFromTheStore() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let first = try sandbox.download(nginx.url("missing-a"))
            let second = try sandbox.download(nginx.url("missing-b"))
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("completions/bgxfer.bash").path
            // `bgxfer WORDS… word<TAB>`: what bash offers.
            let complete = { (words: [String], word: String) throws -> Set<String> in
                let line = ([Binary.path] + words + [word]).joined(separator: " ")
                let outcome = try Command.run(
                    "/bin/bash",
                    ["-c",
                     #"source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; "#
                        + #"COMP_POINT=${#COMP_LINE}; _bgxfer; printf '%s\n' "${COMPREPLY[@]}""#,
                     "bash", script] + [Binary.path] + words + [word],
                    environment: sandbox.environment)
                #expect(outcome.status == 0, "\(outcome.stderr) (\(line))")
                return Set(outcome.lines)
            }
            #expect(try complete(["show"], "") == [first, second])
            #expect(try complete(["show"], String(first.prefix(5))) == [first])

            // Refresh task IDs, for refresh run and remove.
            let refresh = try #require(
                try sandbox.bgxfer("refresh", "add", nginx.url("feed"), "-o", sandbox.file("feed"), "--every", "1h").lines.first)
            #expect(try complete(["refresh", "run"], "") == [refresh])
            #expect(try complete(["refresh", "remove"], String(refresh.prefix(3))) == [refresh])

            // Session names, for session finish, cancel and set.
            #expect(try sandbox.bgxfer("session", "set", "nightly", "--parallel", "2").status == 0)
            #expect(try complete(["session", "finish"], "") == ["default", "nightly"])
            #expect(try complete(["session", "set"], "n") == ["nightly"])
        }
    }
}
