import Foundation
import Testing

/// Refresh tasks and scheduled starts (issue 7) against nginx, with the scheduler's clock
/// driven by BGXFER_NOW rather than by waiting quarter-hours.
@Suite struct RefreshTests {
    /// `BGXFER_NOW` set `seconds` from now.
    static func now(plus seconds: Double) -> [String: String] {
        let formatter = ISO8601DateFormatter()
        return ["BGXFER_NOW": formatter.string(from: Date().addingTimeInterval(seconds))]
    }

    static func refreshes(_ sandbox: Sandbox) throws -> [[String: Any]] {
        let outcome = try sandbox.bgxfer("refresh", "list", "--json")
        return try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [[String: Any]] ?? []
    }

    /// Waits for every task the store has (runs included) to end.
    static func waitForAll(_ sandbox: Sandbox) throws {
        let ids = try sandbox.tasks().compactMap { $0["id"] as? String }
        if !ids.isEmpty { _ = try sandbox.bgxfer(["wait"] + ids) }
    }

    static func identity(_ path: String) throws -> (inode: Int, modified: Date) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.systemFileNumber] as? Int ?? -1, attributes[.modificationDate] as? Date ?? .distantPast)
    }

    /// GET requests nginx logged for `path`, with their status.
    static func gets(_ nginx: Nginx, _ path: String) throws -> [String] {
        let log = try String(contentsOfFile: nginx.documentRoot + "/../logs/access.log", encoding: .utf8)
        return log.split(separator: "\n").filter { $0.contains("\"GET /\(path) ") }.compactMap {
            $0.split(separator: "\"")[safe: 2]?.split(separator: " ").first.map(String.init)
        }
    }

    @Test func aRefreshDownloadsThenLeavesAnUnchangedFileAloneThenReplacesAChangedOne() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let served = nginx.documentRoot + "/feed.xml"
            try Data("<feed>first</feed>\n".utf8).write(to: URL(fileURLWithPath: served))
            let destination = sandbox.file("feed.xml")

            let added = try sandbox.bgxfer("refresh", "add", nginx.url("feed.xml"), "-o", destination, "--every", "15m")
            #expect(added.status == 0, "\(added.stderr)")
            let id = try #require(added.lines.first)
            try Self.waitForAll(sandbox)
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "<feed>first</feed>\n")
            var refresh = try #require(try Self.refreshes(sandbox).first)
            #expect(refresh["id"] as? String == id)
            #expect(refresh["lastResult"] as? String == "downloaded")
            #expect(refresh["every"] as? Int == 900)
            for key in ["url", "destination", "lastRunAt", "nextRunAt", "lastChangedAt"] { #expect(refresh[key] is String, "\(key)") }
            let first = try Self.identity(destination)

            // Not due yet: wake does nothing.
            #expect(try sandbox.bgxfer(["wake"], environment: Self.now(plus: 10 * 60)).status == 0)
            #expect(try Self.gets(nginx, "feed.xml") == ["200"])

            // Due, unchanged: a conditional GET, 304, and the file is not touched.
            #expect(try sandbox.bgxfer(["wake"], environment: Self.now(plus: 16 * 60)).status == 0)
            try Self.waitForAll(sandbox)
            #expect(try Self.gets(nginx, "feed.xml") == ["200", "304"])
            refresh = try #require(try Self.refreshes(sandbox).first)
            #expect(refresh["lastResult"] as? String == "not-modified")
            let second = try Self.identity(destination)
            #expect(second.inode == first.inode && second.modified == first.modified)

            // Changed on the server (another length, so another ETag): replaced by a rename.
            try Data("<feed>second, longer</feed>\n".utf8).write(to: URL(fileURLWithPath: served))
            #expect(try sandbox.bgxfer(["wake"], environment: Self.now(plus: 32 * 60)).status == 0)
            try Self.waitForAll(sandbox)
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "<feed>second, longer</feed>\n")
            #expect(try Self.identity(destination).inode != first.inode, "replaced by a rename, not rewritten in place")
            refresh = try #require(try Self.refreshes(sandbox).first)
            #expect(refresh["lastResult"] as? String == "downloaded")
            #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.downloads) == ["feed.xml"], "no partial file left")
            #expect(sandbox.awaitWorkersGone(), "no process stays when the work is done")
        }
    }

    @Test func twoWakesAtOnceRunADueRefreshOnce() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            _ = try nginx.serve("data.bin", size: 4096)
            let added = try sandbox.bgxfer("refresh", "add", nginx.url("data.bin"), "-o", sandbox.file("data.bin"), "--every", "15m")
            #expect(added.status == 0)
            try Self.waitForAll(sandbox)
            let due = Self.now(plus: 20 * 60)
            let wakes = try (0..<4).map { _ in
                try StreamingCommand(Binary.path, ["wake"], environment: sandbox.environment.merging(due) { $1 })
            }
            for wake in wakes { wake.process.waitUntilExit() }
            #expect(wakes.allSatisfy { $0.process.terminationStatus == 0 })
            try Self.waitForAll(sandbox)
            let requests = try Self.gets(nginx, "data.bin")
            #expect(requests.count == 2, "\(requests)")
            #expect(try sandbox.tasks().count == 2)
        }
    }

    @Test func aRefreshTasksPolicyGoesToItsRunsAndOtherwiseTheSessionsDoes() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            _ = try nginx.serve("a.xml", size: 4096)
            _ = try nginx.serve("b.xml", size: 4096)
            #expect(try sandbox.bgxfer("session", "set", "feeds", "--discretionary").status == 0)
            let own = try sandbox.bgxfer(
                "refresh", "add", nginx.url("a.xml"), "-o", sandbox.file("a.xml"), "--every", "1h", "--session", "feeds",
                "--battery", "allow", "--json")
            let taken = try sandbox.bgxfer("refresh", "add", nginx.url("b.xml"), "-o", sandbox.file("b.xml"), "--every", "1h", "--session", "feeds")
            #expect(own.status == 0 && taken.status == 0, "\(own.stderr) \(taken.stderr)")
            let refresh = try JSONSerialization.jsonObject(with: Data(own.stdout.utf8)) as? [String: Any]
            #expect(refresh?["battery"] as? String == "allow" && refresh?["metered"] is NSNull)
            try Self.waitForAll(sandbox)
            var byFile: [String: [String: Any]] = [:]
            for run in try sandbox.tasks() {
                let detailed = try sandbox.task(try #require(run["id"] as? String))
                byFile[((detailed["destination"] as? String ?? "") as NSString).lastPathComponent] = detailed
            }
            #expect(byFile["a.xml"]?["metered"] as? String == "wait" && byFile["a.xml"]?["battery"] as? String == "allow")
            #expect(byFile["b.xml"]?["metered"] as? String == "wait" && byFile["b.xml"]?["battery"] as? String == "wait")
        }
    }

    @Test func aFailedRunKeepsTheFileAndRefreshRunRunsNow() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            let served = nginx.documentRoot + "/status.json"
            try Data("{\"ok\":true}\n".utf8).write(to: URL(fileURLWithPath: served))
            let destination = sandbox.file("status.json")
            let id = try #require(try sandbox.bgxfer("refresh", "add", nginx.url("status.json"), "-o", destination, "--every", "1h").lines.first)
            try Self.waitForAll(sandbox)
            try FileManager.default.removeItem(atPath: served)

            let run = try sandbox.bgxfer("refresh", "run", String(id.prefix(4)))
            #expect(run.status == 1)
            #expect(run.stdout.hasPrefix("failed: http-404"), "\(run.stdout)")
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "{\"ok\":true}\n")
            let refresh = try #require(try Self.refreshes(sandbox).first)
            #expect(refresh["lastResult"] as? String == "failed")
            #expect((refresh["lastError"] as? String)?.hasPrefix("http-404") == true)

            try Data("{\"ok\":false}\n".utf8).write(to: URL(fileURLWithPath: served))
            let again = try sandbox.bgxfer("refresh", "run", id)
            #expect(again.status == 0 && again.stdout == "downloaded\n", "\(again.stdout)\(again.stderr)")
            #expect(try String(contentsOfFile: destination, encoding: .utf8) == "{\"ok\":false}\n")

            #expect(try sandbox.bgxfer("refresh", "remove", id).status == 0)
            #expect(try Self.refreshes(sandbox).isEmpty)
            #expect(try sandbox.bgxfer("refresh", "run", id).stderr == "bgxfer: no refresh task \(id)\n")
        }
    }

    @Test func withoutAUserManagerTimerInstallPrintsTheCrontabLine() throws {
        try withSandbox { sandbox in
            let install = try sandbox.bgxfer("timer", "install")
            #expect(install.status == 1)
            #expect(install.stderr.hasPrefix("bgxfer: cannot install the timer: "), "\(install.stderr)")
            #expect(install.stdout == "*/15 * * * * XDG_RUNTIME_DIR=\(sandbox.runtime) DBUS_SESSION_BUS_ADDRESS=unix:path=\(sandbox.runtime)/bus XDG_STATE_HOME=\(sandbox.state) \(Binary.path) wake\n")
            #expect(try sandbox.bgxfer("timer", "cron").stdout == install.stdout)
            let status = try sandbox.bgxfer("timer", "status")
            #expect(status.status == 0 && status.stdout.hasPrefix("no systemd user manager"), "\(status.stdout)")
        }
    }

    @Test func aScheduledDownloadWaitsForItsTime() throws {
        try withSandbox { sandbox in
            let nginx = try Nginx(in: sandbox.root)
            _ = try nginx.serve("later.bin", size: 1 << 20)
            let id = try sandbox.download(nginx.url("later.bin"), "--begin-after", "3s")
            #expect(try sandbox.task(id)["state"] as? String == "scheduled")
            #expect(sandbox.workerPIDs().isEmpty, "nothing runs for a scheduled task")
            // Before its time, wake leaves it alone; suspended and resumed, it waits again.
            #expect(try sandbox.bgxfer("wake").status == 0)
            #expect(try sandbox.task(id)["state"] as? String == "scheduled")
            #expect(try sandbox.bgxfer("suspend", id).status == 0)
            #expect(try sandbox.task(id)["state"] as? String == "suspended")
            #expect(try sandbox.bgxfer("resume", id).status == 0)
            #expect(try sandbox.task(id)["state"] as? String == "scheduled")
            #expect(sandbox.workerPIDs().isEmpty)
            // At its time, wake starts it.
            #expect(try sandbox.bgxfer(["wake"], environment: Self.now(plus: 4)).status == 0)
            #expect(try sandbox.bgxfer("wait", id).status == 0)
            #expect(try Self.gets(nginx, "later.bin") == ["200"])

            // Uploads take the same options.
            let source = sandbox.root + "/up.bin"
            _ = try TestFiles.random(at: source, size: 1024)
            let upload = try #require(try sandbox.bgxfer("upload", source, nginx.url("up.bin"), "--begin-at", "23:59").lines.first)
            let scheduled = try sandbox.task(upload)
            #expect(scheduled["state"] as? String == "scheduled" && scheduled["kind"] as? String == "upload")

            // --begin-at a time already past starts at once.
            let past = try sandbox.download(nginx.url("later.bin"), "-o", sandbox.file("now.bin"), "--begin-at", "2020-01-01T00:00:00Z")
            #expect(try sandbox.bgxfer("wait", past).status == 0)
        }
    }
}

/// Times as `show --json` prints them.
enum SchedulerClockParse {
    static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: text) }
}

extension Collection {
    subscript(safe index: Index) -> Element? { indices.contains(index) ? self[index] : nil }
}
