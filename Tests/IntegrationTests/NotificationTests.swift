import Foundation
import Testing

/// Desktop notifications (issue 5) against a real notification server: dunst on a private
/// session bus, under Xvfb.
@Suite struct NotificationTests {
    static let mebibyte = 1 << 20

    /// Runs `download ARGUMENTS` with `environment`, waits for the task and for the worker to
    /// exit (it waits for its notifications first); returns the task as `show --json` prints it.
    static func download(
        _ sandbox: Sandbox, _ arguments: [String], environment: [String: String]
    ) throws -> [String: Any] {
        let outcome = try sandbox.bgxfer(["download"] + arguments, environment: environment)
        let id = try #require(outcome.lines.first, "download failed: \(outcome.stderr)")
        _ = try sandbox.bgxfer(["wait", id], environment: environment)
        #expect(sandbox.awaitWorkersGone(timeout: 15), "the worker did not exit")
        return try sandbox.task(id)
    }

    @Test func aCompletedDownloadShowsTheSuccessTitle() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            try server.serve("backup.tar", size: 3 * Self.mebibyte)
            let task = try Self.download(
                sandbox, [server.url("backup.tar"), "--success-title", "Backup fetched"], environment: desktop.environment)
            #expect(task["state"] as? String == "completed")
            #expect(task["notification"] as? String == "shown")

            let shown = desktop.awaitNotifications(1)
            #expect(shown.count == 1, "\(shown)")
            let notification = try #require(shown.first)
            #expect(notification["summary"] == "Backup fetched")
            #expect(notification["body"]?.hasPrefix("backup.tar, 3.00 MiB in ") == true, "\(notification)")
            #expect(notification["urgency"] == "NORMAL")
            #expect(notification["category"] == "transfer.complete")
            #expect(notification["appname"] == "bgxfer")
            #expect(notification["icon"] == "folder-download")
        }
    }

    /// A notification body is markup: what a server says is escaped, so it shows as written.
    @Test func aServersMarkupReachesTheNotificationEscaped() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try FaultServer(in: sandbox.root)
            try server.serve("evil.bin", size: 1024)
            try server.faults("evil.bin", ["plan": [["status": 403, "reason": "<b>No</b> & <a href='x'>never</a>"]]])
            let task = try Self.download(sandbox, [server.url("evil.bin"), "--notify"], environment: desktop.environment)
            #expect(task["state"] as? String == "failed")
            let shown = desktop.awaitNotifications(1)
            #expect(
                shown.first?["body"] == "evil.bin: the server answered 403 &lt;b&gt;No&lt;/b&gt; &amp; &lt;a href=&apos;x&apos;&gt;never&lt;/a&gt;",
                "\(shown)")
        }
    }

    @Test func aFailedDownloadShowsTheFailureTitleAndTheReason() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            let task = try Self.download(
                sandbox, [server.url("missing.iso"), "--failure-title", "Backup failed"], environment: desktop.environment)
            #expect(task["state"] as? String == "failed")
            #expect(task["notification"] as? String == "shown")

            let shown = desktop.awaitNotifications(1)
            #expect(shown.count == 1, "\(shown)")
            let notification = try #require(shown.first)
            #expect(notification["summary"] == "Backup failed")
            #expect(notification["body"] == "missing.iso: the server answered 404 Not Found", "\(notification)")
            #expect(notification["urgency"] == "CRITICAL")
            #expect(notification["category"] == "transfer.error")
        }
    }

    @Test func aRefreshNotifiesOnAChangeAndOnAFailureButNotWhenNothingChanged() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            try server.serve("feed.xml", size: 1000)
            let environment = desktop.environment
            func wake(after minutes: Double) throws {
                let now = ["BGXFER_NOW": ISO8601DateFormatter().string(from: Date().addingTimeInterval(minutes * 60))]
                #expect(try sandbox.bgxfer(["wake"], environment: environment.merging(now) { $1 }).status == 0)
                try RefreshTests.waitForAll(sandbox)
                #expect(sandbox.awaitWorkersGone(timeout: 15), "the worker did not exit")
            }
            let added = try sandbox.bgxfer(
                ["refresh", "add", server.url("feed.xml"), "-o", sandbox.file("feed.xml"), "--every", "15m",
                 "--success-title", "Feed updated", "--failure-title", "Feed failed"], environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
            try RefreshTests.waitForAll(sandbox)
            #expect(sandbox.awaitWorkersGone(timeout: 15))
            try wake(after: 16)  // 304: no notification
            try FileManager.default.removeItem(atPath: server.documentRoot + "/feed.xml")
            try wake(after: 32)  // 404: failed
            let shown = desktop.awaitNotifications(2)
            #expect(shown.map { $0["summary"] ?? "" } == ["Feed updated", "Feed failed"], "\(shown)")
            #expect(try RefreshTests.gets(server, "feed.xml") == ["200", "304", "404"])
        }
    }

    @Test func plainNotifyUsesTheDefaultTitles() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            try server.serve("a.bin", size: Self.mebibyte)
            _ = try Self.download(sandbox, [server.url("a.bin"), "--notify"], environment: desktop.environment)
            _ = try Self.download(sandbox, [server.url("b.bin"), "--notify"], environment: desktop.environment)
            let shown = desktop.awaitNotifications(2)
            #expect(shown.map { $0["summary"] ?? "" } == ["Download complete", "Download failed"], "\(shown)")
            // Without --notify, nothing.
            _ = try Self.download(sandbox, [server.url("a.bin"), "-o", "quiet.bin"], environment: desktop.environment)
            #expect(desktop.notifications().count == 2)
        }
    }

    @Test func withoutABusTheNotificationIsSkippedAndNothingIsLaunched() throws {
        try withSandbox { sandbox in
            let server = try Nginx(in: sandbox.root)
            try server.serve("c.bin", size: Self.mebibyte)
            // No address, no socket in XDG_RUNTIME_DIR; DISPLAY first unset, then set to a
            // display nobody has (an autolaunched bus would carry it in its environment).
            let display = ":\(Int.random(in: 4000..<5000))"
            for (index, environment) in [[:], ["DISPLAY": display]].enumerated() {
                let task = try Self.download(
                    sandbox, [server.url("c.bin"), "-o", "c\(index).bin", "--notify"], environment: environment)
                #expect(task["state"] as? String == "completed")
                let outcome = task["notification"] as? String ?? ""
                #expect(outcome.hasPrefix("skipped: no session bus"), "\(outcome)")
                let log = (task["log"] as? [String] ?? []).joined(separator: "\n")
                #expect(log.contains("notification skipped: no session bus"), "\(log)")
                let text = try sandbox.bgxfer("show", task["id"] as? String ?? "")
                let row = text.stdout.split(separator: "\n").first { $0.hasPrefix("Notification:") }
                #expect(row?.contains(" skipped: no session bus") == true, "\(text.stdout)")
            }
            #expect(Self.processes(withEnvironment: "DISPLAY=\(display)").isEmpty, "something was launched")
        }
    }

    @Test func theBusIsFoundInTheRuntimeDirectoryWithoutAnAddress() throws {
        try withSandbox { sandbox in
            // The cron case: no DBUS_SESSION_BUS_ADDRESS, but the user session's socket.
            let desktop = try Desktop(in: sandbox.root, busPath: sandbox.runtime + "/bus")
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            try server.serve("cron.bin", size: Self.mebibyte)
            let task = try Self.download(sandbox, [server.url("cron.bin"), "--notify"], environment: [:])
            #expect(task["notification"] as? String == "shown")
            #expect(desktop.awaitNotifications(1).first?["summary"] == "Download complete")
        }
    }

    @Test func aServerThatNeverAnswersCostsTheWorkerSecondsNotMinutes() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root, notificationServer: false)
            defer { desktop.stop() }
            let owner = try SilentNotificationOwner(address: "unix:path=\(desktop.busPath)")
            defer { withExtendedLifetime(owner) {} }
            let server = try Nginx(in: sandbox.root)
            try server.serve("slow.bin", size: Self.mebibyte)

            let started = ContinuousClock.now
            let task = try Self.download(sandbox, [server.url("slow.bin"), "--notify"], environment: desktop.environment)
            let took = ContinuousClock.now - started
            #expect(task["state"] as? String == "completed")
            #expect(task["notification"] as? String == "skipped: the notification server did not answer within 5 s")
            // libnotify alone would hold the worker 25 s and more.
            #expect(took < .seconds(15), "the worker took \(took) to exit")
        }
    }

    @Test func aTaskResumedFromResumeDataKeepsItsTitles() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try FaultServer(in: sandbox.root)
            try server.serve("kept.bin", size: 16 * Self.mebibyte)
            try server.faults("kept.bin", ["rate": 4 * Self.mebibyte])
            let id = try #require(
                try sandbox.bgxfer(
                    ["download", server.url("kept.bin"), "--success-title", "Kept title"], environment: desktop.environment
                ).lines.first)
            #expect(try ResumeTests.follow(sandbox, id, until: ResumeTests.progressed(to: 6 * Self.mebibyte)) != nil)
            let data = sandbox.root + "/kept.resume"
            let cancel = try sandbox.bgxfer("cancel", id, "--resume-data", data)
            #expect(cancel.status == 0, "\(cancel.stderr)")
            #expect(sandbox.awaitWorkersGone())
            #expect(desktop.notifications().isEmpty, "a canceled task is not announced")

            try server.faults("kept.bin", ["rate": NSNull()])
            let resumed = try sandbox.bgxfer(["resume", "--resume-data", data], environment: desktop.environment)
            let newID = try #require(resumed.lines.first, "\(resumed.stderr)")
            #expect(try sandbox.bgxfer(["wait", newID], environment: desktop.environment).status == 0)
            #expect(sandbox.awaitWorkersGone())
            #expect(desktop.awaitNotifications(1).map { $0["summary"] ?? "" } == ["Kept title"])
        }
    }

    @Test func resumeCanAskForANotification() throws {
        try withSandbox { sandbox in
            let desktop = try Desktop(in: sandbox.root)
            defer { desktop.stop() }
            let server = try Nginx(in: sandbox.root)
            let first = try Self.download(sandbox, [server.url("later.bin")], environment: desktop.environment)
            #expect(first["state"] as? String == "failed")
            #expect(first["notify"] is NSNull)
            let id = try #require(first["id"] as? String)

            #expect(try sandbox.bgxfer(["resume", id, "--failure-title", "Still missing"], environment: desktop.environment).status == 0)
            _ = try sandbox.bgxfer(["wait", id], environment: desktop.environment)
            #expect(sandbox.awaitWorkersGone())
            #expect(desktop.awaitNotifications(1).map { $0["summary"] ?? "" } == ["Still missing"])
            let notify = try sandbox.task(id)["notify"] as? [String: Any]
            #expect(notify?["failure"] as? String == "Still missing")
            #expect(notify?["success"] as? String == "Download complete")
        }
    }

    /// Processes whose environment holds `entry`.
    static func processes(withEnvironment entry: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap(Int32.init).filter { pid in
            guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == entry }
        }
    }
}
