import Foundation
import GRDB

/// One task's progress, as a worker saves it.
struct ProgressSample: Equatable {
    var id: TaskID
    var bytesTransferred: Int64
    var bytesExpected: Int64?
    var bytesPerSecond: Double?
}

/// The store operations a session's worker performs. The worker holds its session's lock, so
/// tasks of its session in state `running` are either its own or orphans of a dead worker.
extension Store {
    /// Puts back into the queue the tasks a dead worker of this session left `running`.
    func recoverOrphans(session: String) throws -> [TransferTask] {
        try write { db in
            let orphans = try TransferTask
                .filter(TransferTask.Field.session == session && TransferTask.Field.state == TaskState.running.rawValue)
                .fetchAll(db)
            return try orphans.map { orphan in
                try Self.transition(db, orphan.id, on: .workerLost) { task in
                    task.workerPid = nil
                    task.bytesPerSecond = nil
                }
            }
        }
    }

    /// Moves up to `limit` queued tasks of the session, oldest first, to `running` for this
    /// worker, and returns them.
    func claimQueued(session: String, limit: Int, pid: Int32, now: Date = Date()) throws -> [TransferTask] {
        guard limit > 0 else { return [] }
        return try write { db in
            let queued = try TransferTask
                .filter(TransferTask.Field.session == session && TransferTask.Field.state == TaskState.queued.rawValue)
                .order(TransferTask.Field.createdAt, TransferTask.Field.id)
                .limit(limit)
                .fetchAll(db)
            return try queued.map { task in
                try Self.transition(db, task.id, on: .start) { task in
                    task.workerPid = pid
                    task.startedAt = task.startedAt ?? now
                    task.attempts += 1
                    // Each attempt starts from zero for now: resuming is a later feature.
                    task.bytesTransferred = 0
                    task.bytesPerSecond = nil
                    task.errorCode = nil
                    task.errorMessage = nil
                }
            }
        }
    }

    /// The current state of each of the given tasks; a removed task is missing.
    func states(of ids: [TaskID]) throws -> [TaskID: TaskState] {
        try read { db in
            let rows = try Row.fetchAll(
                db, TransferTask.select(TransferTask.Field.id, TransferTask.Field.state)
                    .filter(keys: ids.map(\.rawValue)))
            var states: [TaskID: TaskState] = [:]
            for row in rows {
                if let state = TaskState(rawValue: row[1]) { states[TaskID(row[0])] = state }
            }
            return states
        }
    }

    /// Whether the session has tasks waiting for a worker.
    func hasQueuedWork(session: String) throws -> Bool {
        try read { db in
            try TransferTask
                .filter(TransferTask.Field.session == session && TransferTask.Field.state == TaskState.queued.rawValue)
                .fetchCount(db) > 0
        }
    }

    /// Saves the progress of every running transfer in one transaction.
    func saveProgress(_ samples: [ProgressSample]) throws {
        guard !samples.isEmpty else { return }
        try write { db in
            for sample in samples {
                try db.execute(
                    sql: """
                        UPDATE task SET bytesTransferred = ?, bytesExpected = coalesce(?, bytesExpected),
                            bytesPerSecond = ? WHERE id = ? AND state = 'running'
                        """,
                    arguments: [sample.bytesTransferred, sample.bytesExpected, sample.bytesPerSecond, sample.id.rawValue])
            }
        }
    }

    /// Stores what the response said: status, headers, validators, length.
    func saveResponse(_ id: TaskID, _ response: ResponseInfo) throws {
        try write { db in
            guard var task = try TransferTask.fetchOne(db, key: id.rawValue), task.state == .running else { return }
            task.httpStatus = response.status
            task.responseHeaders = response.headers
            task.effectiveURL = response.effectiveURL
            task.bytesExpected = response.bytesExpected ?? task.bytesExpected
            task.etag = response.value(of: "ETag")
            task.lastModified = response.value(of: "Last-Modified")
            try task.update(db)
        }
    }

    /// Marks the task completed and, in the same transaction, moves its verified partial file
    /// onto the destination. If the user canceled or removed the task meanwhile, nothing is
    /// renamed and the transition error is thrown.
    func complete(
        _ id: TaskID, bytes: Int64, averageSpeed: Double?, now: Date = Date(), moveIntoPlace: () throws -> Void
    ) throws -> TransferTask {
        try write { db in
            try Self.transition(db, id, on: .complete) { task in
                try moveIntoPlace()
                task.bytesTransferred = bytes
                task.bytesExpected = task.bytesExpected ?? bytes
                task.bytesPerSecond = averageSpeed
                task.finishedAt = now
                task.workerPid = nil
            }
        }
    }

    func fail(_ id: TaskID, _ error: TaskError, bytes: Int64, now: Date = Date()) throws -> TransferTask {
        try write { db in
            try Self.transition(db, id, on: .fail) { task in
                task.errorCode = error.code
                task.errorMessage = error.message
                task.bytesTransferred = bytes
                task.bytesPerSecond = nil
                task.finishedAt = now
                task.workerPid = nil
            }
        }
    }

    /// A worker stopped by a signal hands its running tasks back to the queue.
    func requeue(_ ids: [TaskID]) throws {
        try write { db in
            for id in ids {
                guard let task = try TransferTask.fetchOne(db, key: id.rawValue), task.state == .running else { continue }
                _ = try Self.transition(db, id, on: .workerLost) { task in
                    task.workerPid = nil
                    task.bytesPerSecond = nil
                }
            }
        }
    }
}
