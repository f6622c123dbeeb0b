import Foundation
import GRDB

/// Refresh tasks and scheduled starts: what `wake` and `refresh` do to the store. Due-ness is a
/// function of the stored times and the scheduler clock's `now`, so tests drive it with
/// `BGXFER_NOW` instead of waiting.
extension Store {
    public func insert(_ refresh: RefreshTask) throws -> RefreshTask {
        try write { db in
            try Self.admit(db, session: refresh.session)
            if let other = try RefreshTask.filter(Column("destination") == refresh.destination).fetchOne(db) {
                throw BgxferError.cannotCreate("\(refresh.destination) is already refreshed by refresh task \(other.id)")
            }
            var refresh = refresh
            while try RefreshTask.exists(db, key: refresh.id.rawValue) { refresh.id = TaskID.random() }
            try refresh.insert(db)
            return try RefreshTask.fetchOne(db, key: refresh.id.rawValue)!
        }
    }

    public func refreshTasks() throws -> [RefreshTask] {
        try read { db in try RefreshTask.order(RefreshTask.Field.createdAt.desc).fetchAll(db) }
    }

    /// The refresh task with this ID or unique prefix.
    public func resolveRefresh(_ prefix: String) throws -> RefreshTask {
        switch try read({ db in try Self.match(RefreshTask.self, prefix: prefix, db, id: \.id) }) {
        case .one(let refresh): return refresh
        case .none: throw BgxferError("no refresh task \(prefix)")
        case .ambiguous(let ids):
            throw BgxferError("refresh task ID '\(prefix)' is ambiguous: it starts \(ids.map(\.rawValue).joined(separator: ", "))")
        }
    }

    public func removeRefresh(_ id: TaskID) throws {
        try write { db in _ = try RefreshTask.deleteOne(db, key: id.rawValue) }
    }

    /// Starts the runs that are due at `now` (or refresh `only`, due or not): for each, in one
    /// transaction, its next due time moves on and a download task is queued. Refreshes whose
    /// last run is still going, or whose session is finishing, are skipped (they stay due).
    /// Several `wake`s at once therefore start each due run exactly once: the second finds the
    /// first's next due time. Returns the queued tasks.
    public func startDueRefreshes(now: Date, only: TaskID? = nil) throws -> [TransferTask] {
        try write { db in
            var request = RefreshTask.all()
            if let only { request = request.filter(key: only.rawValue) } else { request = request.filter(RefreshTask.Field.nextRunAt <= StoredDate(now)) }
            var started: [TransferTask] = []
            for var refresh in try request.fetchAll(db) {
                if let current = refresh.currentTask, let task = try TransferTask.fetchOne(db, key: current.rawValue),
                    !task.state.isTerminal
                {
                    continue
                }
                if try Self.isFinishing(db, session: refresh.session) { continue }
                var draft = TaskDraft(url: refresh.url, destination: refresh.destination)
                draft.session = refresh.session
                draft.overwrite = true
                draft.notify = refresh.notify
                draft.refreshID = refresh.id
                draft.retries = 3
                draft.metered = refresh.metered
                draft.battery = refresh.battery
                draft.requestHeaders = refresh.requestHeaders + Self.conditions(for: refresh)
                let task = try Self.insert(db, draft, now: Date())
                refresh.currentTask = task.id
                refresh.lastRunAt = now
                refresh.nextRunAt = now.addingTimeInterval(refresh.every)
                try refresh.update(db)
                started.append(task)
            }
            return started
        }
    }

    /// The conditional request of a run: the last validators, while the destination they
    /// describe is still there (a deleted file is fetched again whole).
    static func conditions(for refresh: RefreshTask) -> [String] {
        guard FileSystem.exists(refresh.destination) else { return [] }
        return (refresh.etag.map { ["If-None-Match: \($0)"] } ?? [])
            + (refresh.lastModified.map { ["If-Modified-Since: \($0)"] } ?? [])
    }

    /// Inside the transaction that ends a refresh run's task: what the run found.
    static func recordRun(_ db: Database, of task: TransferTask, now: Date) throws {
        guard let id = task.refreshID, var refresh = try RefreshTask.fetchOne(db, key: id.rawValue),
            refresh.currentTask == task.id
        else { return }
        refresh.currentTask = nil
        switch task.state {
        case .completed:
            let changed = task.httpStatus != 304
            refresh.lastResult = changed ? .downloaded : .notModified
            if changed { refresh.lastChangedAt = now }
            refresh.etag = task.etag ?? (changed ? nil : refresh.etag)
            refresh.lastModified = task.lastModified ?? (changed ? nil : refresh.lastModified)
            refresh.lastError = nil
        default:
            refresh.lastResult = .failed
            refresh.lastError = task.error.map { "\($0.code): \($0.message)" } ?? "the run was \(task.state)"
        }
        try refresh.update(db)
    }

    /// `scheduled` tasks whose time has come at `now` are queued; returns their sessions.
    public func releaseDueScheduled(now: Date, session: String? = nil) throws -> Set<String> {
        try write { db in
            var request = TransferTask.filter(TransferTask.Field.state == TaskState.scheduled.rawValue)
                .filter(Column("beginAt") <= StoredDate(now))
            if let session { request = request.filter(TransferTask.Field.session == session) }
            var sessions = Set<String>()
            for task in try request.fetchAll(db) {
                sessions.insert(try Self.transition(db, task.id, on: .due, at: now) { _ in }.session)
            }
            return sessions
        }
    }

    /// The earliest time a scheduled task of the session may start.
    func nextScheduledStart(session: String) throws -> Date? {
        try read { db in
            try StoredDate.fetchOne(
                db,
                TransferTask.select(min(Column("beginAt")))
                    .filter(TransferTask.Field.session == session && TransferTask.Field.state == TaskState.scheduled.rawValue))?.date
        }
    }
}

extension RefreshTask: StoredRecord {
    public static let databaseTableName = "refresh"

    enum Field {
        static let nextRunAt = Column("nextRunAt")
        static let createdAt = Column("createdAt")
    }
}
