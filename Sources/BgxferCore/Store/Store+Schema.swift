import GRDB

extension Store {
    /// Versioned schema. Constraints live in the schema ("trust SQLite more than yourself"):
    /// states and kinds are checked, and a destination has at most one live task.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: tasks") { db in
            let states = TaskState.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let live = TaskState.live.map { "'\($0.rawValue)'" }.joined(separator: ",")
            try db.execute(
                sql: """
                    CREATE TABLE task (
                        id TEXT PRIMARY KEY NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('download', 'upload')),
                        session TEXT NOT NULL,
                        state TEXT NOT NULL CHECK (state IN (\(states))),
                        url TEXT NOT NULL,
                        destination TEXT,
                        partialPath TEXT,
                        requestHeaders TEXT NOT NULL DEFAULT '[]',
                        overwrite BOOLEAN NOT NULL DEFAULT 0,
                        checksum TEXT,
                        limitRate INTEGER CHECK (limitRate > 0),
                        insecure BOOLEAN NOT NULL DEFAULT 0,
                        allowDowngrade BOOLEAN NOT NULL DEFAULT 0,
                        connectTimeout DOUBLE,
                        noProgressTimeout DOUBLE NOT NULL,
                        bytesTransferred INTEGER NOT NULL DEFAULT 0 CHECK (bytesTransferred >= 0),
                        bytesExpected INTEGER,
                        bytesPerSecond DOUBLE,
                        createdAt DATETIME NOT NULL,
                        startedAt DATETIME,
                        finishedAt DATETIME,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        httpStatus INTEGER,
                        responseHeaders TEXT,
                        effectiveURL TEXT,
                        etag TEXT,
                        lastModified TEXT,
                        errorCode TEXT,
                        errorMessage TEXT,
                        workerPid INTEGER
                    );
                    CREATE INDEX task_session_state ON task(session, state);
                    CREATE INDEX task_created ON task(createdAt);
                    CREATE UNIQUE INDEX task_live_destination ON task(destination)
                        WHERE destination IS NOT NULL AND state IN (\(live));
                    """)
        }
        migrator.registerMigration("v2: resuming and retrying") { db in
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN durableBytes INTEGER NOT NULL DEFAULT 0 CHECK (durableBytes >= 0);
                    ALTER TABLE task ADD COLUMN validator TEXT;
                    ALTER TABLE task ADD COLUMN restartNote TEXT;
                    ALTER TABLE task ADD COLUMN maxAttempts INTEGER NOT NULL DEFAULT 5 CHECK (maxAttempts >= 1);
                    ALTER TABLE task ADD COLUMN budgetUsed INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE task ADD COLUMN nextAttemptAt DATETIME;
                    ALTER TABLE task ADD COLUMN keepPartial BOOLEAN NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("v3: notifications") { db in
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN notify TEXT;
                    ALTER TABLE task ADD COLUMN notification TEXT;
                    """)
        }
        migrator.registerMigration("v4: uploads") { db in
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN source TEXT;
                    ALTER TABLE task ADD COLUMN method TEXT;
                    ALTER TABLE task ADD COLUMN replyPath TEXT;
                    ALTER TABLE task ADD COLUMN replyBody BLOB;
                    """)
        }
        migrator.registerMigration("v5: multipart and resumable uploads") { db in
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN form TEXT;
                    ALTER TABLE task ADD COLUMN uploadProtocol TEXT CHECK (uploadProtocol IN ('plain', 'tus', 'rufh'));
                    ALTER TABLE task ADD COLUMN uploadURL TEXT;
                    """)
        }
        migrator.registerMigration("v6: refresh tasks and scheduled starts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE refresh (
                        id TEXT PRIMARY KEY NOT NULL,
                        url TEXT NOT NULL,
                        destination TEXT NOT NULL UNIQUE,
                        every DOUBLE NOT NULL CHECK (every >= \(RefreshTask.minimumInterval)),
                        requestHeaders TEXT NOT NULL DEFAULT '[]',
                        notify TEXT,
                        session TEXT NOT NULL,
                        createdAt DATETIME NOT NULL,
                        nextRunAt DATETIME NOT NULL,
                        lastRunAt DATETIME,
                        lastResult TEXT CHECK (lastResult IN ('downloaded', 'not-modified', 'failed')),
                        lastChangedAt DATETIME,
                        lastError TEXT,
                        etag TEXT,
                        lastModified TEXT,
                        currentTask TEXT
                    );
                    CREATE INDEX refresh_due ON refresh(nextRunAt);
                    ALTER TABLE task ADD COLUMN refreshID TEXT;
                    ALTER TABLE task ADD COLUMN beginAt DATETIME;
                    """)
        }
        migrator.registerMigration("v7: sessions") { db in
            let range = SessionSettings.parallelismRange
            try db.execute(
                sql: """
                    CREATE TABLE session (
                        name TEXT PRIMARY KEY NOT NULL,
                        parallelism INTEGER NOT NULL DEFAULT \(SessionSettings.defaultParallelism)
                            CHECK (parallelism BETWEEN \(range.lowerBound) AND \(range.upperBound)),
                        finishing BOOLEAN NOT NULL DEFAULT 0
                    );
                    """)
        }
        migrator.registerMigration("v8: names from Content-Disposition") { db in
            try db.execute(sql: "ALTER TABLE task ADD COLUMN nameDirectory TEXT")
        }
        migrator.registerMigration("v9: waiting out outages; cost and power policy; partial file identity") { db in
            // A task without --retries retries until it has made no progress for giveUpAfter;
            // maxAttempts (a default of 5 nobody chose) gives way to it. A session's policies are
            // its new tasks' defaults; a refresh task's, when set, its runs'.
            let policies = ConditionPolicy.allCases.map { "'\($0.rawValue)'" }.joined(separator: ",")
            let retries = TaskDraft.retriesRange
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN retries INTEGER CHECK (retries BETWEEN \(retries.lowerBound) AND \(retries.upperBound));
                    ALTER TABLE task ADD COLUMN giveUpAfter DOUBLE NOT NULL DEFAULT \(TaskDraft.defaultGiveUpAfter) CHECK (giveUpAfter > 0);
                    ALTER TABLE task ADD COLUMN progressAt DATETIME;
                    ALTER TABLE task ADD COLUMN setbacks INTEGER NOT NULL DEFAULT 0 CHECK (setbacks >= 0);
                    ALTER TABLE task ADD COLUMN metered TEXT NOT NULL DEFAULT 'allow' CHECK (metered IN (\(policies)));
                    ALTER TABLE task ADD COLUMN battery TEXT NOT NULL DEFAULT 'allow' CHECK (battery IN (\(policies)));
                    ALTER TABLE task DROP COLUMN maxAttempts;
                    ALTER TABLE task ADD COLUMN partialIdentity TEXT;
                    ALTER TABLE session ADD COLUMN metered TEXT CHECK (metered IN (\(policies)));
                    ALTER TABLE session ADD COLUMN battery TEXT CHECK (battery IN (\(policies)));
                    ALTER TABLE refresh ADD COLUMN metered TEXT CHECK (metered IN (\(policies)));
                    ALTER TABLE refresh ADD COLUMN battery TEXT CHECK (battery IN (\(policies)));
                    """)
        }
        return migrator
    }()
}

extension TransferTask: StoredRecord {
    public static let databaseTableName = "task"

    /// Columns the store filters and sorts on.
    enum Field {
        static let id = Column("id")
        static let session = Column("session")
        static let state = Column("state")
        static let kind = Column("kind")
        static let destination = Column("destination")
        static let createdAt = Column("createdAt")
        static let finishedAt = Column("finishedAt")
        static let nextAttemptAt = Column("nextAttemptAt")
    }
}
