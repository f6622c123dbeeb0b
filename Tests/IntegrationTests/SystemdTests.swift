import Foundation
import Testing

/// Workers under a real systemd user manager (issue 4): scopes, stopping, the journal, the
/// fallback, and `doctor`. Each test runs its own private user session as `bgxfer-test`.
@Suite(.serialized) struct SystemdTests {
    static let mebibyte = 1 << 20

    /// The worker's scope: the one bgxfer unit the manager has, with the worker in it.
    static func workerScope(_ session: UserSession) throws -> (unit: String, pid: Int32) {
        let scopes = try session.bgxferScopes()
        let unit = try #require(scopes.first, "no bgxfer scope in systemctl --user list-units")
        #expect(scopes.count == 1, "\(scopes)")
        #expect(unit.hasPrefix("bgxfer-default-") && unit.hasSuffix(".scope"), "\(unit)")
        let pid = try #require(try session.pids(inUnit: unit).first, "no process in \(unit)")
        return (unit, pid)
    }

    /// `wait --json ID` inside the session until an event satisfies `predicate`.
    static func follow(
        _ session: UserSession, _ sandbox: Sandbox, _ id: String, until predicate: ([String: Any]) -> Bool
    ) throws -> [String: Any]? {
        let follower = try StreamingCommand(
            "/bin/bash", session.enter([Binary.path, "wait", "--json", id], environment: sandbox.sessionEnvironment),
            environment: UserSession.hostEnvironment)
        defer { follower.stop() }
        while let line = follower.nextLine() {
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
            if predicate(event) { return event }
        }
        return nil
    }

    static func task(_ session: UserSession, _ sandbox: Sandbox, _ id: String) throws -> [String: Any] {
        let outcome = try sandbox.bgxfer(in: session, ["show", "--json", id])
        guard outcome.status == 0 else { throw HarnessError.failed("show --json \(id): \(outcome.stderr)") }
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any] ?? [:]
    }

    static func doctor(_ run: () throws -> Outcome) throws -> [String: [String: Any]] {
        let outcome = try run()
        guard outcome.status == 0 else { throw HarnessError.failed("doctor --json: \(outcome.stderr)") }
        let object = try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any]
        let checks = object?["checks"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: checks.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func downloadFromAShellRunsTheWorkerInAScopeAndCompletes() throws {
        try withUserSession { session, sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 24 * Self.mebibyte
            let digest = try server.serve("scope.bin", size: size)
            try server.faults("scope.bin", ["rate": 8 * Self.mebibyte])
            // The launching shell exits at once; the worker carries on in its scope.
            let shell = try session.run(
                ["/bin/sh", "-c", "exec \(Binary.path) download \(server.url("scope.bin")) -d \(sandbox.downloads)"],
                environment: sandbox.sessionEnvironment.merging(["DISPLAY": ":42", "BGXFER_TEST_MARK": "kept"]) { $1 })
            #expect(shell.status == 0, "\(shell.stderr)")
            let id = try #require(shell.lines.first)

            let (unit, pid) = try Self.workerScope(session)
            let cgroup = try String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
            #expect(cgroup.contains("/user@\(session.uid).service/") && cgroup.contains("/\(unit)\n"), "\(cgroup)")
            let command = try String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)
            #expect(command.contains("__worker"), "\(command)")
            // The scope keeps the caller's environment: session bus, DISPLAY, anything else.
            let environment = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8).split(separator: "\0")
            for variable in ["DISPLAY=:42", "BGXFER_TEST_MARK=kept", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/\(session.uid)/bus"] {
                #expect(environment.contains(Substring(variable)), "\(variable) missing in \(environment)")
            }
            let description = try session.run(["systemctl", "--user", "show", "-p", "Description", "--value", unit])
            #expect(description.stdout.contains("session default"), "\(description.stdout)")

            try server.faults("scope.bin", ["rate": NSNull()])
            let wait = try sandbox.bgxfer(in: session, ["wait", id])
            #expect(wait.status == 0, "\(wait.stderr)")
            #expect(try TestFiles.sha256(sandbox.file("scope.bin")) == digest)
            #expect(Await.exit(of: pid, timeout: 10), "the worker did not exit when idle")
            #expect(try session.bgxferScopes().isEmpty, "the scope was not collected")
        }
    }

    @Test func stoppingTheScopeRequeuesAndWakeContinuesInANewScope() throws {
        try withUserSession { session, sandbox in
            let server = try FaultServer(in: sandbox.root)
            let size = 48 * Self.mebibyte
            let digest = try server.serve("stop.bin", size: size)
            try server.faults("stop.bin", ["rate": 8 * Self.mebibyte])
            let id = try #require(
                try sandbox.bgxfer(in: session, ["download", server.url("stop.bin"), "-d", sandbox.downloads]).lines.first)
            // Past the first fdatasync (every 0.5 s), so there are durable bytes to keep.
            let event = try Self.follow(session, sandbox, id) { ($0["bytesTransferred"] as? Int ?? 0) >= 12 * Self.mebibyte }
            #expect(event?["event"] as? String == "progress", "\(event ?? [:])")
            let (unit, pid) = try Self.workerScope(session)

            let stop = try session.run(["systemctl", "--user", "stop", unit])
            #expect(stop.status == 0, "\(stop.stderr)")
            #expect(Await.exit(of: pid, timeout: 10))
            var task = try Self.task(session, sandbox, id)
            #expect(task["state"] as? String == "queued", "neither failed nor suspended: \(task["state"] ?? "")")
            let kept = try #require(task["durableBytes"] as? Int)
            #expect(kept >= 6 * Self.mebibyte)
            let log = (task["log"] as? [String] ?? []).joined(separator: "\n")
            #expect(log.contains("stopped by SIGTERM"), "\(log)")

            #expect(try sandbox.bgxfer(in: session, ["wake"]).status == 0)
            let (second, _) = try Self.workerScope(session)
            #expect(second != unit)
            try server.faults("stop.bin", ["rate": NSNull()])
            #expect(try sandbox.bgxfer(in: session, ["wait", id]).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("stop.bin")) == digest)
            let stats = try server.stats("stop.bin")
            #expect(stats.requests.last?["range"] as? String == "bytes=\(kept)-")
            #expect(stats.bytesSent < size + size / 2, "sent \(stats.bytesSent) bytes for a \(size)-byte file")
            task = try Self.task(session, sandbox, id)
            #expect(task["state"] as? String == "completed")
        }
    }

    @Test func theJournalReceivesTheWorkersLinesAndShowPrintsThem() throws {
        try withUserSession { session, sandbox in
            let server = try FaultServer(in: sandbox.root)
            _ = try server.serve("log.bin", size: Self.mebibyte)
            let id = try #require(
                try sandbox.bgxfer(in: session, ["download", server.url("log.bin"), "-d", sandbox.downloads]).lines.first)
            #expect(try sandbox.bgxfer(in: session, ["wait", id]).status == 0)

            let journal = try session.run(
                ["journalctl", "--no-pager", "-o", "json", "BGXFER_TASK=\(id)"], root: true)
            #expect(journal.status == 0, "\(journal.stderr)")
            let entries = journal.lines.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
            let worker = entries.filter { $0["BGXFER_SESSION"] as? String == "default" }
            #expect(worker.contains { ($0["MESSAGE"] as? String)?.hasPrefix("completed:") == true }, "\(entries)")
            for entry in entries {
                #expect(entry["SYSLOG_IDENTIFIER"] as? String == "bgxfer")
                #expect(entry["_UID"] as? String == "\(session.uid)")
                #expect(["5", "6"].contains(entry["PRIORITY"] as? String ?? ""))
            }
            #expect(worker.allSatisfy { ($0["_SYSTEMD_USER_UNIT"] as? String)?.hasPrefix("bgxfer-default-") == true })
            // Nothing went to the file log, and `show` (as the user) reads the journal.
            #expect(!FileManager.default.fileExists(atPath: sandbox.state + "/bgxfer/log/task-\(id).log"))
            let log = try Self.task(session, sandbox, id)["log"] as? [String] ?? []
            #expect(log.contains { $0.contains("completed:") }, "\(log)")
        }
    }

    @Test func withoutAManagerTheWorkerIsDetachedAndDoctorSaysWhy() throws {
        try withSandbox { sandbox in
            let server = try Nginx(in: sandbox.root)
            let digest = try server.serve("plain.bin", size: 4 * Self.mebibyte)
            let id = try sandbox.download(server.url("plain.bin"))
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("plain.bin")) == digest)

            let checks = try Self.doctor { try sandbox.bgxfer("doctor", "--json") }
            #expect(checks["launcher"]?["value"] as? String == "detached")
            #expect((checks["launcher"]?["summary"] as? String)?.contains("no systemd user manager") == true)
            #expect(checks["user-manager"]?["value"] as? String == "unreachable")
            #expect(checks["log"]?["value"] as? String == Self.machineLogDestination)
            #expect(checks["timer"]?["value"] as? String == "cron", "\(checks["timer"] ?? [:])")

            // Forcing the scope launcher without a manager: one line, and no task.
            let forced = try sandbox.bgxfer(
                ["download", server.url("plain.bin"), "-o", "again.bin"], environment: ["BGXFER_LAUNCHER": "scope"])
            #expect(forced.status == 1)
            #expect(forced.stderr.hasPrefix("bgxfer: BGXFER_LAUNCHER=scope, but no systemd user manager"), "\(forced.stderr)")
            #expect(forced.stderr.split(separator: "\n").count == 1)
            #expect(try sandbox.tasks().count == 1)
        }
    }

    /// What the worker logs to outside a test session: the journal only on a systemd machine.
    static var machineLogDestination: String {
        var info = stat()
        let journal = stat("/run/systemd/journal/socket", &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK
        return FileManager.default.fileExists(atPath: "/run/systemd/system") && journal ? "journal" : "files"
    }

    @Test func aManagerThatNeverAnswersCostsSecondsThenTheWorkerIsDetached() throws {
        try withSandbox { sandbox in
            let server = try Nginx(in: sandbox.root)
            let digest = try server.serve("hung.bin", size: Self.mebibyte)
            // A socket where the manager's would be, that accepts connections and never answers.
            let socket = sandbox.runtime + "/systemd/private"
            try FileManager.default.createDirectory(atPath: sandbox.runtime + "/systemd", withIntermediateDirectories: true)
            let listener = try Command.start(
                "/usr/bin/python3",
                ["-c", "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(); time.sleep(600)", socket],
                log: sandbox.root + "/listener.log")
            defer { listener.terminate(); listener.waitUntilExit() }
            while !FileManager.default.fileExists(atPath: socket) {
                guard listener.isRunning else { throw HarnessError.failed("the listener did not start") }
                usleep(10_000)
            }

            let started = ContinuousClock.now
            let id = try sandbox.download(server.url("hung.bin"))
            let took = ContinuousClock.now - started
            #expect(took < .seconds(10), "download took \(took) with a hung manager")
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("hung.bin")) == digest)
            let checks = try Self.doctor { try sandbox.bgxfer("doctor", "--json") }
            #expect(checks["launcher"]?["value"] as? String == "detached")
            #expect((checks["user-manager"]?["summary"] as? String)?.contains("no answer from unix:path=\(socket) within 2.0 seconds") == true, "\(checks)")
        }
    }

    @Test func forcingTheDetachedLauncherUnderAManagerSkipsTheScope() throws {
        try withUserSession { session, sandbox in
            let server = try Nginx(in: sandbox.root)
            let digest = try server.serve("forced.bin", size: 4 * Self.mebibyte)
            let environment = ["BGXFER_LAUNCHER": "detached"]
            let id = try #require(
                try sandbox.bgxfer(
                    in: session, ["download", server.url("forced.bin"), "-d", sandbox.downloads], environment: environment
                ).lines.first)
            #expect(try sandbox.bgxfer(in: session, ["wait", id]).status == 0)
            #expect(try TestFiles.sha256(sandbox.file("forced.bin")) == digest)
            #expect(try session.bgxferScopes().isEmpty)
            let journal = try session.run(
                ["journalctl", "--no-pager", "-o", "json", "BGXFER_TASK=\(id)", "BGXFER_SESSION=default"], root: true)
            #expect(!journal.stdout.contains("bgxfer-default-"), "the worker ran in a scope")
            #expect(journal.stdout.contains("session-test.scope"))

            let checks = try Self.doctor { try sandbox.bgxfer(in: session, ["doctor", "--json"], environment: environment) }
            #expect(checks["launcher"]?["value"] as? String == "detached")
            #expect(checks["launcher"]?["status"] as? String == "ok")
            #expect(checks["user-manager"]?["value"] as? String == "reachable")
        }
    }

    @Test func doctorReportsLingeringOffThenOn() throws {
        try withUserSession { session, sandbox in
            var checks = try Self.doctor { try sandbox.bgxfer(in: session, ["doctor", "--json"]) }
            #expect(checks["launcher"]?["value"] as? String == "scope")
            #expect(checks["user-manager"]?["value"] as? String == "reachable")
            #expect(checks["log"]?["value"] as? String == "journal")
            #expect(checks["session-bus"]?["value"] as? String == "reachable")
            // No system bus runs here, so logind cannot be asked: doctor reads the file logind
            // reads, and says so.
            #expect(checks["lingering"]?["value"] as? String == "off")
            #expect(checks["lingering"]?["status"] as? String == "warning")
            #expect((checks["lingering"]?["fix"] as? String)?.contains("loginctl enable-linger") == true)
            #expect((checks["lingering"]?["summary"] as? String)?.contains("logind is unreachable") == true)

            // What `loginctl enable-linger` leaves behind for logind.
            let touch = try session.run(["touch", "/var/lib/systemd/linger/\(UserSession.user)"], root: true)
            #expect(touch.status == 0, "\(touch.stderr)")
            checks = try Self.doctor { try sandbox.bgxfer(in: session, ["doctor", "--json"]) }
            #expect(checks["lingering"]?["value"] as? String == "on")
            #expect(checks["lingering"]?["status"] as? String == "ok")
        }
    }

    // MARK: - Timers (issue 7)

    @Test func aScheduledDownloadStartsOnItsOwnTransientTimer() throws {
        try withUserSession { session, sandbox in
            let nginx = try Nginx(in: sandbox.root)
            _ = try nginx.serve("timed.bin", size: Self.mebibyte)
            let submitted = floor(Date().timeIntervalSince1970)
            let outcome = try sandbox.bgxfer(
                in: session, ["download", nginx.url("timed.bin"), "-d", sandbox.downloads, "--begin-after", "3s"])
            let id = try #require(outcome.lines.first, "\(outcome.stderr)")
            let timers = try session.run(["systemctl", "--user", "list-timers", "--all", "--no-legend"])
            #expect(timers.stdout.contains("bgxfer-start-\(id).timer"), "\(timers.stdout)")
            #expect(try Self.task(session, sandbox, id)["state"] as? String == "scheduled")

            // Nothing else wakes it: the timer does, and not before its time.
            #expect(try sandbox.bgxfer(in: session, ["wait", id]).status == 0)
            let task = try Self.task(session, sandbox, id)
            let started = try #require((task["startedAt"] as? String).flatMap(SchedulerClockParse.date))
            #expect(started.timeIntervalSince1970 >= submitted + 3, "started \(started), submitted \(submitted)")
            let log = (task["log"] as? [String] ?? []).joined(separator: "\n")
            #expect(log.contains("bgxfer-start-\(id).timer will start it"), "\(log)")

            // Canceled before its time: its timer goes too.
            let later = try #require(
                try sandbox.bgxfer(
                    in: session, ["download", nginx.url("timed.bin"), "-o", sandbox.file("later.bin"), "--begin-after", "1h"]
                ).lines.first)
            let armed = try session.run(["systemctl", "--user", "list-timers", "--all", "--no-legend"])
            #expect(armed.stdout.contains("bgxfer-start-\(later).timer"), "\(armed.stdout)")
            #expect(try sandbox.bgxfer(in: session, ["cancel", later]).status == 0)
            let disarmed = try session.run(["systemctl", "--user", "list-timers", "--all", "--no-legend"])
            #expect(!disarmed.stdout.contains("bgxfer-start-\(later).timer"), "\(disarmed.stdout)")
        }
    }

    @Test func timerInstallEnablesAUserTimerWhoseServiceRunsADueRefresh() throws {
        try withUserSession { session, sandbox in
            let nginx = try Nginx(in: sandbox.root)
            _ = try nginx.serve("feed.xml", size: 2048)
            // Added (and first run) 20 minutes "ago": by the real clock its next run is due.
            let ago = ["BGXFER_NOW": ISO8601DateFormatter().string(from: Date().addingTimeInterval(-20 * 60))]
            let added = try sandbox.bgxfer(
                in: session, ["refresh", "add", nginx.url("feed.xml"), "-o", sandbox.file("feed.xml"), "--every", "15m"],
                environment: ago)
            #expect(added.status == 0, "\(added.stderr)")
            try Self.waitForAll(session, sandbox)
            #expect(try RefreshTests.gets(nginx, "feed.xml") == ["200"])

            var checks = try Self.doctor { try sandbox.bgxfer(in: session, ["doctor", "--json"]) }
            #expect(checks["timer"]?["value"] as? String == "off")
            let install = try sandbox.bgxfer(in: session, ["timer", "install"])
            #expect(install.status == 0, "\(install.stderr)")
            checks = try Self.doctor { try sandbox.bgxfer(in: session, ["doctor", "--json"]) }
            #expect(checks["timer"]?["value"] as? String == "on", "\(checks["timer"] ?? [:])")
            let timers = try session.run(["systemctl", "--user", "list-timers", "--all", "--no-legend"])
            #expect(timers.stdout.contains("bgxfer-wake.timer"), "\(timers.stdout)")
            let status = try sandbox.bgxfer(in: session, ["timer", "status"])
            #expect(status.stdout.hasPrefix("bgxfer-wake.timer: active (enabled), next "), "\(status.stdout)")

            // What the timer runs, started by hand: the due refresh runs (unchanged: 304).
            let start = try session.run(["systemctl", "--user", "start", "bgxfer-wake.service"])
            #expect(start.status == 0, "\(start.stderr)")
            try Self.waitForAll(session, sandbox)
            #expect(try RefreshTests.gets(nginx, "feed.xml") == ["200", "304"])

            #expect(try sandbox.bgxfer(in: session, ["timer", "uninstall"]).status == 0)
            let after = try session.run(["systemctl", "--user", "list-timers", "--all", "--no-legend"])
            #expect(!after.stdout.contains("bgxfer-wake"), "\(after.stdout)")
        }
    }

    static func waitForAll(_ session: UserSession, _ sandbox: Sandbox) throws {
        let list = try sandbox.bgxfer(in: session, ["list", "--json"])
        let ids = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        if !ids.isEmpty { _ = try sandbox.bgxfer(in: session, ["wait"] + ids) }
    }

}
