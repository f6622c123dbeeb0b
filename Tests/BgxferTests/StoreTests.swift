import Foundation
import GRDB
import Testing

@testable import BgxferCore

/// The store against a real SQLite file in a temporary directory.
@Suite final class StoreTests {
    let directory: String
    let store: Store

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/bgxfer-store-\(UUID().uuidString)"
        store = try Store.open(Paths(environment: ["HOME": directory, "XDG_STATE_HOME": directory]))
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    func draft(_ destination: String = "/tmp/a-\(UUID().uuidString)") -> TaskDraft {
        TaskDraft(url: "https://h/a", destination: destination)
    }

    @Test func theStateDirectoryAndItsFilesArePrivate() throws {
        _ = try store.insert(draft())
        for path in [store.paths.stateDirectory, store.paths.logDirectory, store.paths.runtimeDirectory] {
            #expect(try mode(path) == 0o700, "\(path)")
        }
        for suffix in ["", "-wal", "-shm"] {
            #expect(try mode(store.paths.databasePath + suffix) == 0o600, "\(suffix)")
        }
    }

    @Test func aNewTaskIsQueuedWithAPartialFileNextToItsDestination() throws {
        let task = try store.insert(draft("/tmp/x.iso"))
        #expect(task.state == .queued)
        #expect(task.partialPath == "/tmp/x.iso.bgxfer-\(task.id).part")
        #expect(try store.task(task.id) == task)
    }

    @Test func prefixesResolveUniquelyOrSayWhy() throws {
        let task = try store.insert(draft())
        #expect(try store.resolve(String(task.id.rawValue.prefix(6))).id == task.id)
        #expect(try store.resolve(task.id.rawValue.uppercased()).id == task.id)
        #expect(throws: BgxferError.noTask("zzzzzz")) { try store.resolve("zzzzzz") }
        #expect(throws: BgxferError.noTask("not-an-id")) { try store.resolve("not-an-id") }
        // Make two tasks share a first character, then that character is ambiguous.
        var other: TransferTask
        repeat { other = try store.insert(draft()) } while other.id.rawValue.first != task.id.rawValue.first
        #expect {
            try store.resolve(String(task.id.rawValue.prefix(1)))
        } throws: { error in
            (error as? BgxferError)?.message.contains("is ambiguous") == true
        }
    }

    @Test func aDestinationHasOneLiveTask() throws {
        let first = try store.insert(draft("/tmp/same"))
        #expect {
            try store.insert(draft("/tmp/same"))
        } throws: { error in
            (error as? BgxferError)?.message == "/tmp/same is already the destination of task \(first.id) (queued)"
        }
        try store.transition(first.id, on: .cancel)
        #expect(try store.insert(draft("/tmp/same")).state == .queued)
    }

    @Test func transitionsFollowTheStateMachineInsideTheTransaction() throws {
        let task = try store.insert(draft())
        try store.transition(task.id, on: .cancel)
        #expect(throws: BgxferError.self) {
            _ = try store.complete(task.id, bytes: 1, averageSpeed: nil) { Issue.record("renamed a canceled task") }
        }
        #expect(try store.task(task.id)?.state == .canceled)
    }

    @Test func aFailedRenameLeavesTheTaskRunning() throws {
        let task = try store.insert(draft())
        _ = try store.claimReady(session: "default", limit: 1, pid: 1)
        struct RenameFailed: Error {}
        #expect(throws: RenameFailed.self) {
            _ = try store.complete(task.id, bytes: 1, averageSpeed: nil) { throw RenameFailed() }
        }
        #expect(try store.task(task.id)?.state == .running)
    }

    @Test func aWorkerClaimsTheOldestQueuedTasksUpToItsLimit() throws {
        let now = Date()
        let tasks = try (0..<3).map { try store.insert(draft(), now: now.addingTimeInterval(Double($0))) }
        let claimed = try store.claimReady(session: "default", limit: 2, pid: 42)
        #expect(claimed.map(\.id) == [tasks[0].id, tasks[1].id])
        #expect(claimed.allSatisfy { $0.state == .running && $0.workerPid == 42 && $0.attempts == 1 })
        #expect(try store.claimReady(session: "other", limit: 5, pid: 42).isEmpty)
        #expect(try store.sessionsWithWork() == ["default"])
    }

    @Test func aWaitingTaskIsClaimedOnlyOnceItsRetryTimeHasCome() throws {
        let task = try store.insert(draft())
        _ = try store.claimReady(session: "default", limit: 1, pid: 42)
        let at = Date(timeIntervalSinceNow: 60)
        try store.retry(task.id, TaskError(code: .timeout, message: "t"), at: at, durableBytes: 1234)
        let waiting = try #require(try store.task(task.id))
        #expect(waiting.state == .waiting && waiting.durableBytes == 1234 && waiting.error?.code == .timeout)
        #expect(try store.hasPendingWork(session: "default"))
        #expect(abs(try #require(try store.nextRetry(session: "default")).timeIntervalSince(at)) < 0.01)
        #expect(try store.claimReady(session: "default", limit: 1, pid: 42).isEmpty)
        let claimed = try store.claimReady(session: "default", limit: 1, pid: 42, now: at.addingTimeInterval(1))
        #expect(claimed.map(\.id) == [task.id])
        #expect(claimed.first?.attempts == 2 && claimed.first?.budgetUsed == 2 && claimed.first?.bytesTransferred == 1234)
        #expect(claimed.first?.error == nil)
    }

    @Test func aRestartForgetsTheValidatorAndTheBytes() throws {
        let task = try store.insert(draft())
        _ = try store.claimReady(session: "default", limit: 1, pid: 42)
        try store.transition(task.id, on: .retry) { $0.validator = "\"a\"" }
        try store.transition(task.id, on: .start) { _ in }
        try store.retry(
            task.id, TaskError(code: .restart, message: "m"), at: Date(), durableBytes: 0, restartNote: "it changed")
        let restarted = try #require(try store.task(task.id))
        #expect(restarted.validator == nil && restarted.restartNote == "it changed" && !restarted.resumable)
    }

    @Test func orphansOfADeadWorkerGoBackToTheQueue() throws {
        let task = try store.insert(draft())
        _ = try store.claimReady(session: "default", limit: 1, pid: 42)
        let recovered = try store.recoverOrphans(session: "default")
        #expect(recovered.map(\.id) == [task.id])
        #expect(try store.task(task.id)?.state == .queued)
        #expect(try store.task(task.id)?.workerPid == nil)
    }

    @Test func removeRefusesLiveTasksAndCleanTakesEndedOnes() throws {
        let live = try store.insert(draft())
        #expect(throws: BgxferError("task \(live.id) is queued: cancel it before removing it")) {
            try store.remove([live.id])
        }
        try store.transition(live.id, on: .cancel) { $0.finishedAt = Date(timeIntervalSinceNow: -3600) }
        let recent = try store.insert(draft())
        try store.transition(recent.id, on: .cancel) { $0.finishedAt = Date() }
        #expect(try store.clean(finishedBefore: Date(timeIntervalSinceNow: -60)).map(\.id) == [live.id])
        #expect(try store.clean(finishedBefore: nil).map(\.id) == [recent.id])
        #expect(try store.tasks().isEmpty)
    }

    @Test func manyConnectionsInsertingAtOnceNeverSeeALockedDatabase() async throws {
        let paths = store.paths
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let own = try Store.open(paths)
                    for _ in 0..<10 { _ = try own.insert(TaskDraft(url: "https://h/a", destination: nil)) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.tasks().count == 80)
    }

    @Test func aStoreOfTheLastVersionKeepsItsTasksWhichRetryUntilTheirTimeIsUp() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/bgxfer-store-v8-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let paths = Paths(environment: ["HOME": directory, "XDG_STATE_HOME": directory])
        try paths.createDirectories()
        let old = try DatabaseQueue(path: paths.databasePath)
        try Store.migrator.migrate(old, upTo: "v8: names from Content-Disposition")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO task (id, kind, session, state, url, noProgressTimeout, createdAt, maxAttempts, errorCode)
                    VALUES ('abcdef', 'download', 'default', 'waiting', 'https://h/a', 120, '2026-12-01 10:00:00.000', 5, 'http-0')
                    """)
        }
        try old.close()
        let task = try #require(try Store.open(paths).task(TaskID("abcdef")))
        #expect(task.retries == nil && task.giveUpAfter == TaskDraft.defaultGiveUpAfter && task.setbacks == 0)
        #expect(task.metered == .allow && task.battery == .allow)
        // What an older version wrote is shown as it was, not read as a status.
        #expect(task.error?.code == .unrecognized("http-0"))
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
    }
}

/// Tasks that wait for the network, an unmetered network or mains power.
extension StoreTests {
    @Test func tasksThatCannotRunWaitForTheConditionWithoutSpendingAnAttempt() throws {
        let queued = try store.insert(draft())
        let offline = TaskError(code: .noNetwork, message: "no network (netlink: no default route)")
        #expect(try store.claimReady(session: "default", running: 0, pid: 42, hold: { _ in offline }).isEmpty)
        var task = try #require(try store.task(queued.id))
        #expect(task.state == .waiting && task.error == offline && task.nextAttemptAt == nil && task.attempts == 0)
        #expect(try store.heldCount(session: "default") == 1)
        #expect(try store.nextRetry(session: "default") == nil)

        // The network is back: the same claim lets it go and starts it.
        let claimed = try store.claimReady(session: "default", running: 0, pid: 42, hold: nil)
        #expect(claimed.map(\.id) == [queued.id] && claimed.first?.attempts == 1)
        #expect(try store.heldCount(session: "default") == 0)

        // It goes away mid-transfer: the running task waits, its attempt not counted.
        try store.hold(queued.id, offline, durableBytes: 4096)
        task = try #require(try store.task(queued.id))
        #expect(task.state == .waiting && task.durableBytes == 4096 && task.budgetUsed == 0 && task.workerPid == nil)
    }

    @Test func aChangedConditionIsRecordedAndOthersRunOn() throws {
        let first = try store.insert(draft())
        let second = try store.insert(draft())
        let metered = TaskError(code: .metered, message: "the network is metered")
        let held = try store.claimReady(session: "default", running: 0, pid: 42) { $0.id == first.id ? metered : nil }
        #expect(held.map(\.id) == [second.id])
        #expect(try store.task(first.id)?.error?.code == .metered)
        let battery = TaskError(code: .onBattery, message: "on battery")
        _ = try store.claimReady(session: "default", running: 1, pid: 42) { _ in battery }
        #expect(try store.task(first.id)?.error == battery)
    }
}
