import Foundation
import Logging

/// Makes sure a session with work has exactly one worker.
///
/// The caller takes the session lock itself and hands the held lock to the worker it starts,
/// so there is no moment when the lock is free while a worker is on its way: two CLI calls
/// racing for one session cannot start two workers. A worker that finds its session idle
/// releases the lock and looks once more (see `Worker`), which closes the other race, with a
/// task queued just as the worker leaves.
public struct WorkerStarter: Sendable {
    public let paths: Paths
    public let launcher: any Launcher
    public let executable: String
    public let environment: [String: String]

    public init(
        paths: Paths, launcher: (any Launcher)? = nil,
        executable: String = FileSystem.currentExecutable(),
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.paths = paths
        self.launcher = launcher ?? AutomaticLauncher(environment: environment)
        self.executable = executable
        self.environment = environment
    }

    /// Starts a worker for `session` unless one runs. Returns the new worker's PID, or nil when
    /// one was already running.
    @discardableResult
    public func ensureWorker(session: String) throws -> Int32? {
        let lock = try FileLock(path: paths.lockPath(session: session))
        defer { lock.close() }
        guard try lock.tryLock() else { return nil }
        let command = WorkerCommand(executable: executable, session: session, environment: environment)
        return try launcher.launch(command, lock: lock, outputPath: paths.workerOutputPath)
    }

    /// Whether a worker holds the session's lock now.
    public func isWorkerRunning(session: String) -> Bool {
        FileLock.isHeld(at: paths.lockPath(session: session))
    }

    /// `bgxfer wake`: queues what is due at `now` (scheduled tasks whose time has come, refresh
    /// runs), then starts a worker for every session with work (queued tasks, or tasks left
    /// running by a worker that died). Returns the sessions a worker was started for.
    public func wake(store: Store, now: Date) throws -> [String] {
        _ = try store.releaseDueScheduled(now: now)
        _ = try store.startDueRefreshes(now: now)
        return try store.sessionsWithWork().filter { try ensureWorker(session: $0) != nil }
    }
}

extension Worker {
    /// The worker process's entry: takes over the lock its launcher passed as descriptor 3, or
    /// takes the lock itself when started by hand; returns quietly if another worker runs.
    public static func runProcess(session: String, paths: Paths, environment: [String: String], logger: Logger) throws {
        let lockPath = paths.lockPath(session: session)
        let lock: FileLock
        if let text = environment[WorkerCommand.lockDescriptorVariable], let fd = Int32(text) {
            lock = FileLock(path: lockPath, inheritedDescriptor: fd)
            guard lock.refersToPath, try lock.tryLock() else {
                logger.error("the inherited session lock is not \(lockPath); exiting")
                return
            }
        } else {
            try paths.createDirectories()
            lock = try FileLock(path: lockPath)
            guard try lock.tryLock() else { return }
        }
        let clock = (try? SchedulerClock(environment: environment)) ?? SchedulerClock(fixed: nil)
        let store = try Store.open(paths, clock: clock)
        let notifier = ChildProcessNotifier(environment: environment)
        try Worker(
            store: store, session: session, lock: lock, clock: clock, notifier: notifier,
            monitor: NetworkMonitor(environment: environment), logger: logger
        ).run()
    }
}
