import Foundation
import Testing

/// The crontab line `bgxfer timer cron` prints, run by a real cron daemon (issue 7): cron gives
/// its jobs none of the session's environment, so the line itself must carry what `wake` needs.
@Suite struct CronTests {
    /// What cron may give every job of a user (crontab(5): SHELL, LOGNAME, HOME, PATH; `sh` adds
    /// PWD; PAM's pam_env may add the locale), so nothing from a login or desktop session.
    static let cronEnvironment: Set<String> = ["HOME", "LOGNAME", "PATH", "SHELL", "PWD", "LANG", "LANGUAGE"]

    @Test(.timeLimit(.minutes(5)))
    func cronRunsWakeAndADueRefreshHappensWithoutASessionEnvironment() throws {
        try withSandbox { sandbox in
            let user = try SandboxUser(sandbox)
            let nginx = try Nginx(in: sandbox.root)
            let served = nginx.documentRoot + "/feed.xml"
            try Data("<feed>first</feed>\n".utf8).write(to: URL(fileURLWithPath: served))
            let destination = sandbox.file("feed.xml")

            // Added 20 minutes ago by the scheduler's clock: its first run happens now, and the
            // next one is due 5 minutes ago by the real clock, which is the one cron's wake uses.
            let added = try user.bgxfer(
                ["refresh", "add", nginx.url("feed.xml"), "-o", destination, "--every", "15m"],
                environment: RefreshTests.now(plus: -20 * 60))
            #expect(added.status == 0, "\(added.stderr)")
            try user.waitForAll()
            let first = try #require(try user.refreshes().first)
            #expect(first["lastResult"] as? String == "downloaded")
            let firstRun = try #require(first["lastRunAt"] as? String)
            let due = try #require((first["nextRunAt"] as? String).flatMap(SchedulerClockParse.date))
            #expect(due < Date(), "due now by the real clock")
            #expect(try RefreshTests.gets(nginx, "feed.xml") == ["200"])
            // Changed on the server, so the run cron starts has something to fetch.
            try Data("<feed>second, from cron</feed>\n".utf8).write(to: URL(fileURLWithPath: served))

            // The line a user would add with `crontab -e`, every minute instead of every 15.
            let printed = try user.bgxfer(["timer", "cron"])
            #expect(printed.status == 0, "\(printed.stderr)")
            let line = try #require(printed.lines.first)
            #expect(printed.lines.count == 1)
            #expect(line.contains("XDG_STATE_HOME=\(sandbox.state) "), "\(line)")
            let prefix = "*/15 * * * * "
            try #require(line.hasPrefix(prefix), "\(line)")
            let command = String(line.dropFirst(prefix.count))
            // A second job, in the same crontab, shows the environment cron gives every job.
            let probe = sandbox.root + "/cron-job.env"
            let crontab = "* * * * * env >\(probe)\n" + "* * * * * \(command)\n"

            // Cron runs jobs at the start of a minute: the wake comes within about 60 s.
            let cron = try CronDaemon(user: UserSession.user, crontab: crontab)
            defer { cron.stop() }
            let started = Date()
            let deadline = started.addingTimeInterval(150)
            var refresh = first
            while refresh["lastRunAt"] as? String == firstRun, Date() < deadline {
                sleep(1)
                refresh = try #require(try user.refreshes().first)
            }
            try #require(
                refresh["lastRunAt"] as? String != firstRun,
                "no refresh run within 150 s of starting cron; cron's log:\n\(cron.log)")
            try user.waitForAll()
            refresh = try #require(try user.refreshes().first)

            // Cron ran the line, as the user; the run fetched the changed file and replaced ours.
            #expect(cron.jobsStarted(command).count >= 1, "cron's log:\n\(cron.log)")
            #expect(refresh["lastResult"] as? String == "downloaded", "\(refresh)")
            let ran = try #require((refresh["lastRunAt"] as? String).flatMap(SchedulerClockParse.date))
            #expect(ran > started.addingTimeInterval(-1), "at the real time cron ran it")
            let next = try #require((refresh["nextRunAt"] as? String).flatMap(SchedulerClockParse.date))
            #expect(next == ran.addingTimeInterval(15 * 60))
            #expect(try RefreshTests.gets(nginx, "feed.xml") == ["200", "200"])
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "<feed>second, from cron</feed>\n")
            let owner = try FileManager.default.attributesOfItem(atPath: destination)[.ownerAccountID] as? Int
            #expect(owner == Int(user.uid))

            // The job had cron's environment and the line's settings, nothing from a session:
            // the wake's environment is the probe's plus the three settings the line makes (the
            // probe runs in the same minute, through the same cron, PAM stack and shell).
            for _ in 0..<50 where !FileManager.default.fileExists(atPath: probe) { usleep(100_000) }
            let names = Set(
                try String(contentsOfFile: probe, encoding: .utf8).split(separator: "\n")
                    .compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
            #expect(names.filter { !$0.hasPrefix("LC_") }.isSubset(of: Self.cronEnvironment), "\(names.sorted())")
            #expect(names.isDisjoint(with: ["DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "XDG_SESSION_ID"]))
        }
    }
}
