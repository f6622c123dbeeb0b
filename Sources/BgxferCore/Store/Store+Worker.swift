import Foundation
import GRDB

/// One task's progress, as a worker saves it.
struct ProgressSample: Equatable {
    var id: TaskID
    var bytesTransferred: Int64
    var durableBytes: Int64
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
                try Self.transition(db, orphan.id, on: .workerLost, at: clock.now) { task in
                    task.workerPid = nil
                    task.bytesPerSecond = nil
                }
            }
        }
    }

    /// Moves up to `limit` tasks of the session that are ready (queued, or waiting whose retry
    /// time has come), oldest first, to `running` for this worker, and returns them.
    func claimReady(session: String, limit: Int, pid: Int32, now: Date = Date()) throws -> [TransferTask] {
        guard limit > 0 else { return [] }
        return try write { db in try Self.claimReady(db, session: session, limit: limit, pid: pid, now: now) }
    }

    /// The worker's claim: as many as the session's parallelism (read in the same transaction:
    /// `session set` may change it while the worker runs) leaves room for beside the `running`.
    ///
    /// `hold` says which tasks cannot run under the network and power conditions now (nil:
    /// none): in the same transaction those waiting for a condition that no longer holds are
    /// let go, and queued or waiting tasks that now meet one wait for it (README, "Network,
    /// cost and power").
    func claimReady(
        session: String, running: Int, pid: Int32, now: Date = Date(), hold: ((TransferTask) -> TaskError?)? = nil
    ) throws -> [TransferTask] {
        try write { db in
            try Self.applyHolds(db, session: session, now: now, hold: hold)
            return try Self.claimReady(db, session: session, limit: Self.parallelism(db, session) - running, pid: pid, now: now)
        }
    }

    /// A task waits for a condition (the network, an unmetered one, mains power) when it is
    /// `waiting` with no retry time; the code of its error says which.
    private static let heldCondition = "state = 'waiting' AND nextAttemptAt IS NULL"

    private static func applyHolds(
        _ db: Database, session: String, now: Date, hold: ((TransferTask) -> TaskError?)?
    ) throws {
        guard let hold else {
            // Nothing holds: every task waiting for a condition may go.
            try db.execute(
                sql: "UPDATE task SET nextAttemptAt = ? WHERE session = ? AND \(heldCondition)",
                arguments: [StoredDate(now), session])
            return
        }
        let candidates = try TransferTask
            .filter(TransferTask.Field.session == session)
            .filter([TaskState.queued.rawValue, TaskState.waiting.rawValue].contains(TransferTask.Field.state))
            .fetchAll(db)
        for task in candidates {
            let held = task.state == .waiting && task.nextAttemptAt == nil
            if let reason = hold(task) {
                if held && task.errorCode == reason.code.rawValue { continue }
                _ = try transition(db, task.id, on: .hold, at: now) { task in
                    task.errorCode = reason.code.rawValue
                    task.errorMessage = reason.message
                    task.nextAttemptAt = nil
                }
            } else if held {
                try db.execute(sql: "UPDATE task SET nextAttemptAt = ? WHERE id = ?", arguments: [StoredDate(now), task.id.rawValue])
            }
        }
    }

    /// A running task stops for a condition (README, "Network, cost and power"): `waiting`
    /// for it with its flushed bytes, and the attempt it was making is not counted.
    func hold(_ id: TaskID, _ reason: TaskError, durableBytes: Int64) throws {
        try write { db in
            _ = try Self.transition(db, id, on: .hold, at: clock.now) { task in
                task.recordEnd(reason, durableBytes: durableBytes)
                task.nextAttemptAt = nil
                task.budgetUsed = max(0, task.budgetUsed - 1)  // not the attempt's fault
            }
        }
    }

    /// How many of the session's tasks wait for a condition: the worker stays for them.
    func heldCount(session: String) throws -> Int {
        try read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM task WHERE session = ? AND \(Self.heldCondition)", arguments: [session]) ?? 0
        }
    }

    private static func claimReady(_ db: Database, session: String, limit: Int, pid: Int32, now: Date) throws -> [TransferTask] {
        guard limit > 0 else { return [] }
        let ready = try TransferTask
            .filter(TransferTask.Field.session == session)
            .filter(
                TransferTask.Field.state == TaskState.queued.rawValue
                    || (TransferTask.Field.state == TaskState.waiting.rawValue
                        && TransferTask.Field.nextAttemptAt <= StoredDate(now)))
            .order(TransferTask.Field.createdAt, TransferTask.Field.id)
            .limit(limit)
            .fetchAll(db)
        return try ready.map { task in
            try Self.transition(db, task.id, on: .start, at: now) { task in
                task.workerPid = pid
                task.startedAt = task.startedAt ?? now
                task.progressAt = task.progressAt ?? now
                task.attempts += 1
                task.budgetUsed += 1
                task.bytesTransferred = task.durableBytes
                task.bytesPerSecond = nil
                task.nextAttemptAt = nil
                task.errorCode = nil
                task.errorMessage = nil
            }
        }
    }

    /// `--content-disposition`: the task's file gets its name, once, unless another live task
    /// already targets that path (then this throws, saying which).
    func claimDestination(_ id: TaskID, _ path: String) throws {
        try write { db in
            try Self.requireFree(db, path, except: id)
            try db.execute(
                sql: "UPDATE task SET destination = ? WHERE id = ? AND destination IS NULL", arguments: [path, id.rawValue])
        }
    }

    /// When the session's next waiting task may be retried, if it has one.
    func nextRetry(session: String) throws -> Date? {
        try read { db in
            try StoredDate.fetchOne(
                db,
                TransferTask.select(min(TransferTask.Field.nextAttemptAt))
                    .filter(TransferTask.Field.session == session && TransferTask.Field.state == TaskState.waiting.rawValue))?.date
        }
    }

    /// Which file a download's partial file is, now that an attempt made (or opened) it.
    func recordPartialIdentity(_ id: TaskID, _ identity: FileIdentity) throws {
        try write { db in
            guard var task = try TransferTask.fetchOne(db, key: id.rawValue) else { return }
            task.partialIdentity = identity
            try task.update(db)
        }
    }

    /// What became of a task's end-of-task notification.
    func noteNotification(_ id: TaskID, _ outcome: String) throws {
        try write { db in
            try db.execute(sql: "UPDATE task SET notification = ? WHERE id = ?", arguments: [outcome, id.rawValue])
        }
    }

    /// The attempt starts from zero, giving up bytes on disk: say why.
    func noteFreshStart(_ id: TaskID, reason: String) throws {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE task SET restartNote = ?, durableBytes = 0, bytesTransferred = 0, validator = NULL
                    WHERE id = ? AND state = 'running'
                    """,
                arguments: [reason, id.rawValue])
        }
    }

    /// The attempt ended with an error worth retrying, or its response did not continue the
    /// bytes on disk: `waiting` until `at`, with `error` saying why. `setbacks` and
    /// `progressAt`, when given, are the retry policy's new count of failures in a row and the
    /// time of the last progress.
    func retry(
        _ id: TaskID, _ error: TaskError, at: Date, durableBytes: Int64, restartNote: String? = nil,
        setbacks: Int? = nil, progressAt: Date? = nil
    ) throws {
        try write { db in
            _ = try Self.transition(db, id, on: .retry, at: clock.now) { task in
                task.recordEnd(error, durableBytes: durableBytes)
                if let setbacks { task.setbacks = setbacks }
                if let progressAt { task.progressAt = progressAt }
                task.nextAttemptAt = at
                if let restartNote {
                    task.restartNote = restartNote
                    task.validator = nil
                }
            }
        }
    }

    /// Records how much of a task's partial file is on disk, whatever its state now (the user
    /// may have suspended or canceled it while the worker was writing), and that no worker runs
    /// it any more.
    func recordDurable(_ id: TaskID, bytes: Int64) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE task SET durableBytes = ?, bytesTransferred = ?, bytesPerSecond = NULL, workerPid = NULL WHERE id = ?",
                arguments: [bytes, bytes, id.rawValue])
        }
    }

    /// Waits (at most `timeout` seconds, on the store's changes) until no live worker runs the
    /// task: it let it go and recorded its bytes, or it is gone. Returns the task as it is then.
    public func awaitRelease(_ id: TaskID, timeout: Double) throws -> TransferTask {
        let watcher = StoreWatcher(paths: paths)
        let deadline = Monotonic.seconds() + timeout
        while true {
            watcher?.drain()
            guard let current = try task(id) else { throw BgxferError.noTask(id.rawValue) }
            let working = current.workerPid.map { $0 > 0 && (kill($0, 0) == 0 || errno == EPERM) } ?? false
            let left = deadline - Monotonic.seconds()
            if !working || left <= 0 { return current }
            if let watcher { watcher.wait(timeout: min(left, 0.5)) } else { usleep(100_000) }
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

    /// Whether the session has tasks for a worker: queued, waiting to be retried, or waiting
    /// for a condition.
    func hasPendingWork(session: String) throws -> Bool {
        try read { db in
            try TransferTask
                .filter(TransferTask.Field.session == session)
                .filter([TaskState.queued.rawValue, TaskState.waiting.rawValue].contains(TransferTask.Field.state))
                .fetchCount(db) > 0
        }
    }

    /// Saves the progress of every running transfer in one transaction. Bytes that moved
    /// restart the give-up clock (`progressAt`) and the backoff (`setbacks`).
    func saveProgress(_ samples: [ProgressSample], now: Date = Date()) throws {
        guard !samples.isEmpty else { return }
        try write { db in
            for sample in samples {
                // Every expression reads the row as it was before the update.
                try db.execute(
                    sql: """
                        UPDATE task SET
                            progressAt = CASE WHEN ? > bytesTransferred THEN ? ELSE progressAt END,
                            setbacks = CASE WHEN ? > bytesTransferred THEN 0 ELSE setbacks END,
                            bytesTransferred = ?, durableBytes = ?, bytesPerSecond = ?
                        WHERE id = ? AND state = 'running'
                        """,
                    arguments: [
                        sample.bytesTransferred, StoredDate(now), sample.bytesTransferred, sample.bytesTransferred,
                        sample.durableBytes, sample.bytesPerSecond, sample.id.rawValue,
                    ])
            }
        }
    }

    /// Stores what the response said: status, headers, validators, length.
    /// `restartNote`: the response replaced the bytes on disk (a 200 to a ranged request).
    func saveResponse(_ id: TaskID, _ response: ResponseInfo, restartNote: String? = nil) throws {
        try write { db in
            guard var task = try TransferTask.fetchOne(db, key: id.rawValue), task.state == .running else { return }
            task.httpStatus = response.status
            task.responseHeaders = response.headers
            task.effectiveURL = response.effectiveURL
            if let body = response.body, !body.isEmpty { task.replyBody = body }
            guard response.describesFile else { return try task.update(db) }
            task.bytesExpected = response.bytesExpected ?? task.bytesExpected
            if response.status != nil {
                task.etag = response.value(of: "ETag")
                task.lastModified = response.value(of: "Last-Modified")
            }
            task.validator = response.validator
            if let note = restartNote {
                task.restartNote = note
                task.durableBytes = 0
            }
            try task.update(db)
        }
    }

    /// A resumable upload's resource and confirmed offset (`restartNote`: the server forgot
    /// an earlier one, and the upload started again).
    func saveCheckpoint(_ id: TaskID, _ checkpoint: UploadCheckpoint) throws {
        try write { db in
            guard var task = try TransferTask.fetchOne(db, key: id.rawValue), task.state == .running else { return }
            task.uploadURL = checkpoint.uploadURL
            task.durableBytes = checkpoint.offset
            if let note = checkpoint.restartNote { task.restartNote = note }
            try task.update(db)
        }
    }

    /// Marks the task completed and, in the same transaction, puts its result in place (a
    /// download's partial file renamed onto the destination, an upload's reply file). If the
    /// user canceled or removed the task meanwhile, nothing is put in place and the transition
    /// error is thrown.
    func complete(
        _ id: TaskID, bytes: Int64, averageSpeed: Double?, now: Date = Date(), putInPlace: () throws -> Void
    ) throws -> TransferTask {
        try write { db in
            try Self.transition(db, id, on: .complete, at: clock.now) { task in
                try putInPlace()
                task.bytesTransferred = bytes
                task.bytesExpected = task.bytesExpected ?? bytes
                task.bytesPerSecond = averageSpeed
                task.finishedAt = now
                task.workerPid = nil
            }
        }
    }

    /// `durableBytes`: what stays resumable in the kept partial file (0 when it was deleted).
    func fail(_ id: TaskID, _ error: TaskError, durableBytes: Int64, now: Date = Date()) throws -> TransferTask {
        try write { db in
            try Self.transition(db, id, on: .fail, at: clock.now) { task in
                task.recordEnd(error, durableBytes: durableBytes)
                task.finishedAt = now
            }
        }
    }

    /// A worker stopped by a signal hands its running tasks back to the queue, with the bytes
    /// it flushed.
    func requeue(_ durable: [TaskID: Int64]) throws {
        try write { db in
            for (id, bytes) in durable {
                guard let task = try TransferTask.fetchOne(db, key: id.rawValue), task.state == .running else { continue }
                _ = try Self.transition(db, id, on: .workerLost, at: clock.now) { task in
                    task.workerPid = nil
                    task.bytesPerSecond = nil
                    task.durableBytes = bytes
                    task.bytesTransferred = bytes
                    task.budgetUsed = max(0, task.budgetUsed - 1)  // not the attempt's fault
                }
            }
        }
    }
}

extension TransferTask {
    /// An attempt ended with `error` (a failure, or a condition it waits for) and
    /// `durableBytes` on disk: no worker runs it now.
    fileprivate mutating func recordEnd(_ error: TaskError, durableBytes: Int64) {
        errorCode = error.code.rawValue
        errorMessage = error.message
        self.durableBytes = durableBytes
        bytesTransferred = durableBytes
        bytesPerSecond = nil
        workerPid = nil
    }
}
