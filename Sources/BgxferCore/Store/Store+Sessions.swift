import GRDB

/// Sessions: their settings and what `bgxfer session` shows and does.
extension Store {
    /// How many of the session's transfers may run at once.
    public func parallelism(of session: String) throws -> Int {
        try read { db in try Self.parallelism(db, session) }
    }

    static func parallelism(_ db: Database, _ session: String) throws -> Int {
        try SessionSettings.fetchOne(db, key: session)?.parallelism ?? SessionSettings.defaultParallelism
    }

    /// Whether the session has tasks or settings: one `session finish` and `cancel` can act on.
    public func hasSession(_ session: String) throws -> Bool {
        try read { db in
            try TransferTask.filter(TransferTask.Field.session == session).fetchCount(db) > 0
                || SessionSettings.exists(db, key: session)
        }
    }

    /// `session set NAME --parallel N`: a running worker follows it when it next looks at the
    /// store (it starts no transfer past the new number; those already running go on).
    public func setParallelism(_ parallelism: Int, of session: String) throws {
        guard SessionSettings.parallelismRange.contains(parallelism) else {
            throw BgxferError.usage(
                "parallelism \(parallelism) is out of range: a session runs 1 to \(SessionSettings.parallelismRange.upperBound) transfers at once")
        }
        try write { db in
            var settings = try SessionSettings.fetchOne(db, key: session) ?? SessionSettings(name: session)
            settings.parallelism = parallelism
            try settings.save(db)
        }
    }

    /// `session set NAME --metered P --battery P`: the policies its new tasks take when they give
    /// none (nil leaves one as it is). Tasks already made keep theirs.
    public func setPolicies(metered: ConditionPolicy?, battery: ConditionPolicy?, of session: String) throws {
        try write { db in
            var settings = try SessionSettings.fetchOne(db, key: session) ?? SessionSettings(name: session)
            if let metered { settings.metered = metered }
            if let battery { settings.battery = battery }
            try settings.save(db)
        }
    }

    /// `session finish NAME`: the session takes no new task until those it has now have ended.
    /// Returns how many have not (0: there was nothing to wait for, and nothing changes).
    public func finish(session: String) throws -> Int {
        try write { db in
            let live = try Self.liveTaskCount(db, session: session)
            guard live > 0 else { return 0 }
            var settings = try SessionSettings.fetchOne(db, key: session) ?? SessionSettings(name: session)
            settings.finishing = true
            try settings.save(db)
            return live
        }
    }

    /// The tasks of the session that have not ended, oldest first.
    public func liveTasks(of session: String) throws -> [TransferTask] {
        try read { db in
            try Self.live(session).order(TransferTask.Field.createdAt, TransferTask.Field.id).fetchAll(db)
        }
    }

    /// Every session that has tasks or settings, by name.
    public func sessions() throws -> [SessionSummary] {
        let summaries = try read { db in
            var summaries: [String: SessionSummary] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT session, state, count(*) FROM task GROUP BY session, state")
            for row in rows {
                let name: String = row[0]
                guard let state = TaskState(rawValue: row[1]) else { continue }
                summaries[name, default: Self.summary(name)].counts[state] = row[2]
            }
            for settings in try SessionSettings.fetchAll(db) {
                var summary = summaries[settings.name] ?? Self.summary(settings.name)
                summary.parallelism = settings.parallelism
                summary.metered = settings.metered ?? .allow
                summary.battery = settings.battery ?? .allow
                summary.finishing = settings.finishing && summary.liveTasks > 0
                summaries[settings.name] = summary
            }
            return summaries.values.sorted { $0.name < $1.name }
        }
        // The lock files, read outside the transaction.
        return summaries.map { summary in
            var summary = summary
            summary.workerPid = FileLock.holder(at: paths.lockPath(session: summary.name))
            return summary
        }
    }

    private static func summary(_ name: String) -> SessionSummary {
        SessionSummary(
            name: name, parallelism: SessionSettings.defaultParallelism, finishing: false, counts: [:], workerPid: nil)
    }

    /// Inside the transaction that adds a task: a finishing session refuses it while it still
    /// has live tasks; once they have ended, the session is open again.
    static func admit(_ db: Database, session: String) throws {
        guard var settings = try SessionSettings.fetchOne(db, key: session), settings.finishing else { return }
        let live = try liveTaskCount(db, session: session)
        if live > 0 {
            throw BgxferError(
                "session \(session) is finishing: it takes no new task until its \(live) remaining task(s) have ended")
        }
        settings.finishing = false
        try settings.update(db)
    }

    /// Whether the session is finishing now (asked, with live tasks left).
    static func isFinishing(_ db: Database, session: String) throws -> Bool {
        guard try SessionSettings.fetchOne(db, key: session)?.finishing == true else { return false }
        return try liveTaskCount(db, session: session) > 0
    }

    private static func liveTaskCount(_ db: Database, session: String) throws -> Int {
        try live(session).fetchCount(db)
    }

    private static func live(_ session: String) -> QueryInterfaceRequest<TransferTask> {
        TransferTask
            .filter(TransferTask.Field.session == session)
            .filter(TaskState.live.map(\.rawValue).contains(TransferTask.Field.state))
    }
}

extension SessionSettings: StoredRecord {
    static let databaseTableName = "session"
}
