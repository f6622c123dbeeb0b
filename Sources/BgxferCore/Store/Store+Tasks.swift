import CBgxferSupport
import Foundation
import GRDB

/// Which tasks `list` shows.
public struct TaskFilter: Sendable, Equatable {
    public var kind: TaskKind?
    public var state: TaskState?
    public var session: String?

    public init(kind: TaskKind? = nil, state: TaskState? = nil, session: String? = nil) {
        self.kind = kind
        self.state = state
        self.session = session
    }
}

extension Store {
    /// Stores a new task in state `queued`, refusing a destination that another live task
    /// already targets. The check and the insert are one transaction.
    public func insert(_ draft: TaskDraft, now: Date = Date()) throws -> TransferTask {
        try write { db in try Self.insert(db, draft, now: now) }
    }

    /// Inside a write transaction: a new task with an unused ID, unless its destination
    /// belongs to a live task or its session is finishing.
    static func insert(_ db: Database, _ draft: TaskDraft, now: Date) throws -> TransferTask {
        try admit(db, session: draft.session)
        if let destination = draft.destination { try requireFree(db, destination) }
        var id = TaskID.random()
        while try TransferTask.exists(db, key: id.rawValue) { id = TaskID.random() }
        var task = TransferTask(draft: draft, id: id, createdAt: now)
        let settings = try SessionSettings.fetchOne(db, key: draft.session)
        task.metered = draft.metered ?? settings?.metered ?? .allow
        task.battery = draft.battery ?? settings?.battery ?? .allow
        try task.insert(db)
        // What the store holds (dates at its millisecond precision), not what we meant to write.
        return try TransferTask.fetchOne(db, key: id.rawValue)!
    }

    /// Throws when a live task (other than `except`) already targets `destination`.
    static func requireFree(_ db: Database, _ destination: String, except: TaskID? = nil) throws {
        var owners = TransferTask
            .filter(TransferTask.Field.destination == destination)
            .filter(TaskState.live.map(\.rawValue).contains(TransferTask.Field.state))
        if let except { owners = owners.filter(TransferTask.Field.id != except.rawValue) }
        if let owner = try owners.fetchOne(db) {
            throw BgxferError.cannotCreate("\(destination) is already the destination of task \(owner.id) (\(owner.state))")
        }
    }

    public func task(_ id: TaskID) throws -> TransferTask? {
        try read { db in try TransferTask.fetchOne(db, key: id.rawValue) }
    }

    /// Finds the one task whose ID starts with `prefix` (README, "Usage by example": any unique prefix).
    public func resolve(_ prefix: String) throws -> TransferTask {
        switch try read({ db in try Self.match(TransferTask.self, prefix: prefix, db, id: \.id) }) {
        case .one(let task): return task
        case .none: throw BgxferError.noTask(prefix)
        case .ambiguous(let ids): throw BgxferError.ambiguousTask(prefix, matches: ids)
        }
    }

    /// What an ID prefix names among records of one kind (tasks, refresh tasks).
    enum PrefixMatch<Record> {
        case one(Record)
        case none
        /// Several start with it and none is it: the first few of them.
        case ambiguous([TaskID])
    }

    /// The records whose ID starts with `prefix` (case does not matter): the only one, the one
    /// that is exactly it among several, or none or too many.
    static func match<Record: FetchableRecord & TableRecord>(
        _ type: Record.Type, prefix: String, _ db: Database, id: KeyPath<Record, TaskID>
    ) throws -> PrefixMatch<Record> {
        let text = prefix.lowercased()
        guard TaskID.isPlausiblePrefix(text) else { return .none }
        let matches = try Record.filter(sql: "substr(id, 1, ?) = ?", arguments: [text.count, text])
            .order(Column("id")).limit(6).fetchAll(db)
        if let exact = matches.first(where: { $0[keyPath: id].rawValue == text }) { return .one(exact) }
        switch matches.count {
        case 0: return .none
        case 1: return .one(matches[0])
        default: return .ambiguous(matches.map { $0[keyPath: id] })
        }
    }

    /// Newest first.
    public func tasks(_ filter: TaskFilter = TaskFilter()) throws -> [TransferTask] {
        try read { db in
            var request = TransferTask.all()
            if let kind = filter.kind { request = request.filter(TransferTask.Field.kind == kind.rawValue) }
            if let state = filter.state { request = request.filter(TransferTask.Field.state == state.rawValue) }
            if let session = filter.session { request = request.filter(TransferTask.Field.session == session) }
            return try request.order(TransferTask.Field.createdAt.desc, TransferTask.Field.id).fetchAll(db)
        }
    }

    public func tasks(_ ids: [TaskID]) throws -> [TransferTask] {
        try read { db in try TransferTask.fetchAll(db, keys: ids.map(\.rawValue)) }
    }

    /// Applies `event` to the task's current state (read in the same transaction), lets
    /// `update` adjust the other fields, and saves. Throws when the event does not apply.
    @discardableResult
    public func transition(
        _ id: TaskID, on event: TaskEvent, update: (inout TransferTask) throws -> Void = { _ in }
    ) throws -> TransferTask {
        try write { db in try Self.transition(db, id, on: event, at: clock.now, update: update) }
    }

    /// `now`: the scheduler clock's time (`Store.clock`), which a refresh run's result records.
    static func transition(
        _ db: Database, _ id: TaskID, on event: TaskEvent, at now: Date, update: (inout TransferTask) throws -> Void
    ) throws -> TransferTask {
        guard var task = try TransferTask.fetchOne(db, key: id.rawValue) else {
            throw BgxferError.noTask(id.rawValue)
        }
        task.state = try TaskStateMachine.transition(id, from: task.state, on: event)
        try update(&task)
        try task.update(db)
        // A refresh run that ended: its refresh task learns the result in the same transaction.
        if task.state.isTerminal && task.refreshID != nil {
            try recordRun(db, of: task, now: now)
        }
        return task
    }

    /// Sessions with tasks that a worker should be running now.
    public func sessionsWithWork() throws -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                TransferTask
                    .select(TransferTask.Field.session, as: String.self)
                    .filter(TaskState.allCases.filter(\.needsWorker).map(\.rawValue).contains(TransferTask.Field.state))
                    .distinct())
        }
    }

    /// Forgets ended tasks; returns them. A task that has not ended is refused with a message.
    public func remove(_ ids: [TaskID]) throws -> [TransferTask] {
        try write { db in
            let tasks = try TransferTask.fetchAll(db, keys: ids.map(\.rawValue))
            if let live = tasks.first(where: { !$0.state.isTerminal }) {
                throw BgxferError("task \(live.id) is \(live.state): cancel it before removing it")
            }
            _ = try TransferTask.deleteAll(db, keys: ids.map(\.rawValue))
            return tasks
        }
    }

    /// Forgets every ended task, or those that ended before `cutoff`; returns them.
    public func clean(finishedBefore cutoff: Date?) throws -> [TransferTask] {
        try write { db in
            var request = TransferTask.filter(
                TaskState.allCases.filter(\.isTerminal).map(\.rawValue).contains(TransferTask.Field.state))
            if let cutoff { request = request.filter(TransferTask.Field.finishedAt < StoredDate(cutoff)) }
            let tasks = try request.fetchAll(db)
            _ = try request.deleteAll(db)
            return tasks
        }
    }

    /// Task IDs for shell completion, newest first.
    public func recentIDs(limit: Int = 200) throws -> [TaskID] {
        try read { db in
            try String.fetchAll(
                db,
                TransferTask.select(TransferTask.Field.id, as: String.self)
                    .order(TransferTask.Field.createdAt.desc).limit(limit)
            ).map(TaskID.init)
        }
    }
}

extension TransferTask {
    init(draft: TaskDraft, id: TaskID, createdAt: Date) {
        self.init(
            id: id, kind: draft.kind, session: draft.session, state: .queued, url: draft.url,
            destination: draft.destination,
            partialPath: draft.destination.map { PartialFile.path(for: $0, id: id) }
                ?? draft.nameDirectory.map { PartialFile.path(inDirectory: $0, id: id) },
            requestHeaders: draft.requestHeaders, overwrite: draft.overwrite, checksum: draft.checksum,
            limitRate: draft.limitRate, insecure: draft.insecure, allowDowngrade: draft.allowDowngrade,
            connectTimeout: draft.connectTimeout, noProgressTimeout: draft.noProgressTimeout,
            bytesTransferred: 0, bytesExpected: nil, bytesPerSecond: nil, createdAt: createdAt,
            startedAt: nil, finishedAt: nil, attempts: 0, httpStatus: nil, responseHeaders: nil,
            effectiveURL: nil, etag: draft.resumeFrom?.etag, lastModified: draft.resumeFrom?.lastModified,
            errorCode: nil, errorMessage: nil, workerPid: nil)
        retries = draft.retries
        giveUpAfter = draft.giveUpAfter
        notify = draft.notify
        source = draft.source
        form = draft.form
        method = draft.method
        uploadProtocol = draft.uploadProtocol
        uploadURL = draft.uploadURL
        refreshID = draft.refreshID
        nameDirectory = draft.nameDirectory
        // The caller sets a beginning only when it is still to come by the scheduler's clock.
        if let beginAt = draft.beginAt {
            self.beginAt = beginAt
            state = .scheduled
        }
        replyPath = draft.replyPath
        if let source = draft.source { bytesExpected = source.size }
        if let form = draft.form { bytesExpected = form.reduce(0) { $0 + ($1.file?.size ?? 0) } }
        if let point = draft.resumeFrom {
            partialPath = point.partialPath
            partialIdentity = point.identity
            durableBytes = point.bytes
            bytesTransferred = point.bytes
            bytesExpected = point.expectedLength
            validator = point.validator
        }
    }
}
