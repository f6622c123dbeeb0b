import Foundation
import GRDB
import Testing

@testable import BgxferCore

/// Sessions in the store: settings, finishing, summaries.
extension StoreTests {
    func insert(session: String) throws -> TransferTask {
        var draft = draft()
        draft.session = session
        return try store.insert(draft)
    }

    @Test func parallelismIsSixUntilSetAndStaysWithinOneTo200() throws {
        #expect(try store.parallelism(of: "a") == 6)
        try store.setParallelism(200, of: "a")
        try store.setParallelism(2, of: "a")
        #expect(try store.parallelism(of: "a") == 2)
        #expect(try store.parallelism(of: "b") == 6)
        for wrong in [0, 201, -1] {
            #expect {
                try store.setParallelism(wrong, of: "a")
            } throws: { error in
                (error as? BgxferError)?.message.contains("parallelism \(wrong) is out of range") == true
            }
        }
        #expect(try store.parallelism(of: "a") == 2)
        // The schema holds the range too.
        #expect(throws: DatabaseError.self) {
            try self.store.database.write { db in try db.execute(sql: "UPDATE session SET parallelism = 500") }
        }
    }

    @Test func aFinishingSessionRefusesTasksUntilItsLiveOnesEndThenOpensAgain() throws {
        let first = try insert(session: "s")
        let second = try insert(session: "s")
        #expect(try store.finish(session: "s") == 2)
        #expect {
            try self.insert(session: "s")
        } throws: { error in
            (error as? BgxferError)?.message
                == "session s is finishing: it takes no new task until its 2 remaining task(s) have ended"
        }
        _ = try insert(session: "other")
        #expect(try store.sessions().first { $0.name == "s" }?.finishing == true)

        try store.transition(first.id, on: .cancel)
        #expect(throws: BgxferError.self) { try self.insert(session: "s") }
        try store.transition(second.id, on: .cancel)
        #expect(try store.sessions().first { $0.name == "s" }?.finishing == false)
        _ = try insert(session: "s")
        // Open again: the flag went with that task, so the session is not finishing any more.
        _ = try insert(session: "s")
    }

    @Test func finishingASessionWithNothingLeftChangesNothing() throws {
        let task = try insert(session: "s")
        try store.transition(task.id, on: .cancel)
        #expect(try store.finish(session: "s") == 0)
        _ = try insert(session: "s")
    }

    @Test func summariesCountTasksByStateAndKeepSettingsOfEmptySessions() throws {
        let canceled = try insert(session: "b")
        try store.transition(canceled.id, on: .cancel)
        _ = try insert(session: "b")
        _ = try insert(session: "a")
        try store.setParallelism(9, of: "c")
        let sessions = try store.sessions()
        #expect(sessions.map(\.name) == ["a", "b", "c"])
        #expect(sessions[1].counts == [.queued: 1, .canceled: 1])
        #expect(sessions[1].liveTasks == 1)
        #expect(sessions[2].parallelism == 9 && sessions[2].counts.isEmpty)
        #expect(sessions.allSatisfy { $0.workerPid == nil })
        #expect(try store.liveTasks(of: "b").map(\.state) == [.queued])
    }

    @Test func aFinishingSessionsRefreshRunsWaitUntilItIsOpen() throws {
        let live = try insert(session: "s")
        let now = Date()
        let refresh = try store.insert(
            RefreshTask(
                id: TaskID.random(), url: "https://h/feed", destination: "/tmp/feed-\(UUID().uuidString)", every: 3600,
                requestHeaders: [], notify: nil, session: "s", createdAt: now, nextRunAt: now))
        #expect(try store.finish(session: "s") == 1)
        #expect(try store.startDueRefreshes(now: now).isEmpty)
        #expect(throws: BgxferError.self) {
            try self.store.insert(
                RefreshTask(
                    id: TaskID.random(), url: "https://h/other", destination: "/tmp/other-\(UUID().uuidString)",
                    every: 3600, requestHeaders: [], notify: nil, session: "s", createdAt: now, nextRunAt: now))
        }
        try store.transition(live.id, on: .cancel)
        #expect(try store.startDueRefreshes(now: now).map(\.refreshID) == [refresh.id])
    }
}

/// A session's network and power policy: its new tasks' defaults.
extension StoreTests {
    @Test func aSessionsPoliciesAreItsNewTasksDefaultsAndATasksOwnWin() throws {
        let before = try insert(session: "s")
        try store.setPolicies(metered: .wait, battery: nil, of: "s")
        try store.setPolicies(metered: nil, battery: .wait, of: "s")
        let after = try insert(session: "s")
        #expect(before.metered == .allow && before.battery == .allow)
        #expect(after.metered == .wait && after.battery == .wait)
        var own = draft()
        own.session = "s"
        own.metered = .allow
        let chosen = try store.insert(own)
        #expect(chosen.metered == .allow && chosen.battery == .wait)
        #expect(try insert(session: "other").metered == .allow)
        let summary = try #require(try store.sessions().first { $0.name == "s" })
        #expect(summary.metered == .wait && summary.battery == .wait)
        // A refresh run takes its refresh task's policy, else the session's.
        var refresh = RefreshTask(
            id: TaskID.random(), url: "https://h/feed", destination: "/tmp/feed-\(UUID().uuidString)", every: 3600,
            requestHeaders: [], notify: nil, session: "s", createdAt: Date(), nextRunAt: Date())
        refresh.battery = .allow
        _ = try store.insert(refresh)
        let run = try #require(try store.startDueRefreshes(now: Date(), only: refresh.id).first)
        #expect(run.metered == .wait && run.battery == .allow)
    }
}
