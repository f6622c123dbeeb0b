import Foundation
import GRDB
import GRDBSQLite

/// The task store: the single source of truth shared by every CLI process and every worker
/// (README, at the top). SQLite in WAL mode, so readers never wait; a generous busy timeout, so writers
/// queue instead of failing with `database is locked`; IMMEDIATE write transactions (GRDB's
/// default), so a transaction never has to upgrade its lock and fail.
public final class Store: Sendable {
    let database: DatabaseQueue
    public let paths: Paths
    /// The scheduler's clock (`BGXFER_NOW` in tests): the time a refresh run's result is
    /// recorded at. Given at open, so that no transaction reads the environment.
    public let clock: SchedulerClock

    /// How long a writer waits for another process's transaction before giving up.
    static let busyTimeout: TimeInterval = 30

    /// Opens the store, creating the state directory and migrating the schema when needed.
    public static func open(_ paths: Paths, clock: SchedulerClock = SchedulerClock(fixed: nil)) throws -> Store {
        try paths.createDirectories()
        return try Store(paths: paths, clock: clock, create: true)
    }

    /// Opens an existing store without creating anything; nil when there is none yet. For
    /// read-only callers such as shell completion.
    public static func openExisting(_ paths: Paths) throws -> Store? {
        guard FileSystem.exists(paths.databasePath) else { return nil }
        return try Store(paths: paths, clock: SchedulerClock(fixed: nil), create: false)
    }

    private init(paths: Paths, clock: SchedulerClock, create: Bool) throws {
        self.paths = paths
        self.clock = clock
        var configuration = Configuration()
        // WAL is set below, after the version check: GRDB's own WAL set-up writes to the file
        // (a table made and dropped when the -wal file is missing), and a store from a newer
        // bgxfer must not be written at all.
        configuration.journalMode = .default
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.label = "bgxfer"
        configuration.prepareDatabase { db in
            // Keep the -wal and -shm files between connections: readers then never need to
            // create them, and `wait` can watch the -wal file for changes.
            try db.setPersistentWAL()
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            // Creating the file, switching it to WAL and migrating must happen once, even when
            // ten processes start at the same moment on a fresh machine.
            let setup = try FileLock(path: paths.setupLockPath)
            try setup.lock()
            defer { setup.close() }
            if create { try FileSystem.touchPrivate(paths.databasePath) }
            database = try DatabaseQueue(path: paths.databasePath, configuration: configuration)
            // A store from a newer bgxfer has migrations this one does not know: its tasks may
            // mean what this version cannot follow. Refused before anything is written to it.
            let applied = try database.read { db in try Self.migrator.appliedIdentifiers(db) }
            let known = Set(Self.migrator.migrations)
            if let newer = applied.sorted().last(where: { !known.contains($0) }) {
                throw BgxferError(
                    "task store \(paths.databasePath) was written by a newer bgxfer (schema '\(newer)'); this one knows up "
                        + "to '\(Self.migrator.migrations.last ?? "-")': use the newer bgxfer, or move the store aside")
            }
            try database.writeWithoutTransaction { db in
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw DatabaseError(message: "could not switch to WAL mode")
                }
            }
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw BgxferError.storeFailure(error, path: paths.databasePath)
        }
    }

    /// Runs `body` in an IMMEDIATE write transaction, turning SQLite errors into a message.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.write(body)
        } catch {
            throw Self.failure(error, path: paths.databasePath)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try database.read(body)
        } catch {
            throw Self.failure(error, path: paths.databasePath)
        }
    }

    /// A store error as a one-line message. GRDB's errors about a value it cannot decode quote
    /// the whole row, secrets included: only what failed and the column are kept. Errors of the
    /// transaction's own body pass as they are.
    static func failure(_ error: any Error, path: String) -> any Error {
        switch error {
        case let error as DatabaseError: return BgxferError.storeFailure(error, path: path)
        case _ where !String(reflecting: type(of: error)).hasPrefix("GRDB."): return error
        default:
            let text = "\(error)"
            let what = text.range(of: " from database value").map { String(text[..<$0.lowerBound]) } ?? "a value cannot be read"
            // `column: "beginAt"` (no regular expression: that would load ICU into the worker).
            let column = text.range(of: #"column: ""#).map { start in
                " (column " + text[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" } + ")"
            }
            return BgxferError("task store \(path): \(what.prefix(80))\(column ?? ""): it was written by another bgxfer or damaged")
        }
    }

    /// Changes whenever another connection commits (`PRAGMA data_version`): a cheap way for a
    /// worker to know it must look at the store again.
    public func dataVersion() throws -> Int64 {
        try database.writeWithoutTransaction { db in
            try Int64.fetchOne(db, sql: "PRAGMA data_version") ?? 0
        }
    }
}

extension Database {
    fileprivate func setPersistentWAL() throws {
        var flag: CInt = 1
        let code = withUnsafeMutablePointer(to: &flag) {
            sqlite3_file_control(sqliteConnection, nil, SQLITE_FCNTL_PERSIST_WAL, $0)
        }
        if code != SQLITE_OK { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
    }
}

extension BgxferError {
    static func storeFailure(_ error: DatabaseError, path: String) -> BgxferError {
        BgxferError("task store \(path): \(error.message ?? "\(error.resultCode)")")
    }
}
