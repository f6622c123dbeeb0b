import Foundation
import Testing

@testable import BgxferCore

@Suite struct SchedulerClockTests {
    @Test func bgxferNowStandsInForTheClock() throws {
        let clock = try SchedulerClock(environment: ["BGXFER_NOW": "2026-11-24T10:00:00Z"])
        #expect(clock.now == Date(timeIntervalSince1970: 1_795_514_400))
        #expect(try SchedulerClock(environment: ["BGXFER_NOW": "2026-11-24T10:00:00.250+01:00"]).now.timeIntervalSince1970 == 1_795_510_800.25)
        #expect(throws: BgxferError.usage("invalid BGXFER_NOW 'tomorrow': expected an RFC 3339 time, e.g. 2026-11-24T10:00:00Z")) {
            try SchedulerClock(environment: ["BGXFER_NOW": "tomorrow"])
        }
        let real = try SchedulerClock(environment: [:]).now
        #expect(abs(real.timeIntervalSinceNow) < 5)
    }

    @Test func beginAtTakesRFC3339OrTheNextHHMM() throws {
        let clock = SchedulerClock(fixed: SchedulerClock.parse("2026-11-24T10:00:00Z"))
        let utc = try #require(TimeZone(identifier: "UTC"))
        #expect(try clock.beginning(at: "18:30", timeZone: utc) == SchedulerClock.parse("2026-11-24T18:30:00Z"))
        #expect(try clock.beginning(at: "09:15", timeZone: utc) == SchedulerClock.parse("2026-11-25T09:15:00Z"))
        #expect(try clock.beginning(at: "2026-12-01T00:00:00Z") == SchedulerClock.parse("2026-12-01T00:00:00Z"))
        for bad in ["25:00", "7:30", "noon", "18:60", "18:30:00"] {
            #expect(throws: BgxferError.self, "\(bad)") { try clock.beginning(at: bad, timeZone: utc) }
        }
    }

    @Test func refreshesRunAtMostFourTimesAnHour() throws {
        #expect(try RefreshTask.interval("15m") == 900)
        #expect(try RefreshTask.interval("1d") == 86400)
        #expect(throws: BgxferError.usage("--every 10m is too often: refresh tasks run at most every 15m (four times an hour)")) {
            try RefreshTask.interval("10m")
        }
        #expect(throws: BgxferError.self) { try RefreshTask.interval("899s") }
    }
}

@Suite struct WakeTimerTests {
    @Test func theUnitsRunWakeEveryQuarterHourWithTheStoreTheyWereInstalledFor() {
        let timer = WakeTimer(
            executable: "/opt/my tools/bgxfer",
            environment: ["HOME": "/home/u", "XDG_STATE_HOME": "/srv/state", "XDG_RUNTIME_DIR": "/run/user/1000"])
        #expect(timer.unitDirectory == "/home/u/.config/systemd/user")
        #expect(timer.service.contains("ExecStart=\"/opt/my tools/bgxfer\" wake\n"))
        #expect(timer.service.contains("Environment=XDG_STATE_HOME=/srv/state\n"))
        #expect(timer.service.contains("Type=oneshot"))
        for line in ["OnCalendar=*:0/15", "Persistent=true", "RandomizedDelaySec=60", "WantedBy=timers.target"] {
            #expect(timer.timer.contains(line + "\n"), "\(line)")
        }
        #expect(
            timer.cronLine
                == "*/15 * * * * XDG_RUNTIME_DIR=/run/user/1000 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus "
                + "XDG_STATE_HOME=/srv/state '/opt/my tools/bgxfer' wake")
    }
}

/// Due-ness against a real store: a function of the stored times and `now`.
@Suite final class RefreshStoreTests {
    let directory: String
    let store: Store
    let start = Date(timeIntervalSince1970: 1_795_514_400)

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/bgxfer-refresh-\(UUID().uuidString)"
        store = try Store.open(Paths(environment: ["HOME": directory, "XDG_STATE_HOME": directory]))
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func refresh() throws -> RefreshTask {
        try store.insert(
            RefreshTask(
                id: TaskID.random(), url: "https://h/feed.xml", destination: directory + "/feed.xml", every: 900,
                requestHeaders: [], notify: nil, session: "default", createdAt: start, nextRunAt: start))
    }

    @Test func aDueRunStartsOnceAndTheNextIsDueAnIntervalLater() throws {
        let refresh = try refresh()
        #expect(try store.startDueRefreshes(now: start.addingTimeInterval(-1)).isEmpty)
        let runs = try store.startDueRefreshes(now: start)
        #expect(runs.count == 1 && runs[0].refreshID == refresh.id && runs[0].overwrite)
        // The run is still going: not again, even when the next one is due.
        #expect(try store.startDueRefreshes(now: start.addingTimeInterval(2000)).isEmpty)
        _ = try store.transition(runs[0].id, on: .start)
        _ = try store.fail(runs[0].id, TaskError(code: .http(500), message: "boom"), durableBytes: 0)
        let failed = try store.resolveRefresh(refresh.id.rawValue)
        #expect(failed.lastResult == .failed && failed.lastError == "http-500: boom" && failed.currentTask == nil)
        #expect(failed.nextRunAt == start.addingTimeInterval(900))
        #expect(try store.startDueRefreshes(now: start.addingTimeInterval(899)).isEmpty)
        #expect(try store.startDueRefreshes(now: start.addingTimeInterval(900)).count == 1)
    }

    @Test func aRunsResultIsRecordedAtTheStoresClockNotTheEnvironments() throws {
        let ticked = start.addingTimeInterval(12_345)
        let store = try Store.open(self.store.paths, clock: SchedulerClock(fixed: ticked))
        let refresh = try refresh()
        let run = try #require(try store.startDueRefreshes(now: start).first)
        _ = try store.transition(run.id, on: .start)
        _ = try store.complete(run.id, bytes: 3, averageSpeed: nil) {}
        let done = try store.resolveRefresh(refresh.id.rawValue)
        #expect(done.lastResult == .downloaded && done.lastChangedAt == ticked)
    }

    @Test func manyWakesAtOnceStartOneRun() async throws {
        _ = try refresh()
        let store = self.store
        let now = start
        let counts = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try store.startDueRefreshes(now: now).count } }
            return try await group.reduce(0, +)
        }
        #expect(counts == 1)
    }

    @Test func aRunAsksConditionallyOnlyWhileTheFileIsThere() throws {
        var refresh = try refresh()
        refresh.etag = "\"v1\""
        refresh.lastModified = "Tue, 24 Nov 2026 10:00:00 GMT"
        #expect(Store.conditions(for: refresh).isEmpty)
        #expect(FileManager.default.createFile(atPath: refresh.destination, contents: Data("v1".utf8)))
        #expect(Store.conditions(for: refresh) == ["If-None-Match: \"v1\"", "If-Modified-Since: Tue, 24 Nov 2026 10:00:00 GMT"])
    }

    @Test func scheduledTasksAreReleasedWhenTheirTimeComes() throws {
        var draft = TaskDraft(url: "https://h/a", destination: directory + "/a")
        draft.beginAt = start.addingTimeInterval(3)
        let task = try store.insert(draft)
        #expect(task.state == .scheduled)
        #expect(try store.releaseDueScheduled(now: start).isEmpty)
        #expect(try store.releaseDueScheduled(now: start.addingTimeInterval(3)) == ["default"])
        #expect(try store.task(task.id)?.state == .queued)
    }
}
