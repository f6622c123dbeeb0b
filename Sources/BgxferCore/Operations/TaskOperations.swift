import Foundation
import Logging

/// What `cancel`, `suspend`, `resume` and `session cancel` do to tasks: the rules (which fields
/// a user's resume resets, what a cancel cleans up), kept here so that the commands only parse
/// and print (README, "Development").
public enum TaskOperations {
    /// A new task goes to work: a scheduled one waits for its time (a transient timer starts
    /// it then, where a user manager runs; else the periodic wake does), a queued one gets a
    /// worker for its session. `what` describes it, for the log.
    public static func dispatch(
        _ task: TransferTask, describedAs what: String, starter: WorkerStarter, commands: any CommandRunner,
        userManagerProblem: () -> String?
    ) throws {
        let logger = Logger(label: "bgxfer")
        let metadata: Logger.Metadata = [LogKey.task: "\(task.id)"]
        guard let begin = task.beginAt, task.state == .scheduled else {
            logger.info("queued: \(what)", metadata: metadata)
            try startWorker(for: task, starter: starter)
            return
        }
        logger.info("scheduled for \(Timestamp.string(begin)): \(what)", metadata: metadata)
        // Only logged: the task is scheduled either way.
        guard begin > Date() else { return }  // BGXFER_NOW ahead of the real clock: no timer in the past
        if let problem = userManagerProblem() {
            logger.info("no transient timer (\(problem)); the next 'bgxfer wake' starts it", metadata: metadata)
            return
        }
        do {
            let unit = try ScheduledStart.arm(
                task.id, at: begin, executable: starter.executable, environment: starter.environment, commands: commands)
            logger.info("\(unit) will start it", metadata: metadata)
        } catch {
            let reason = (error as? BgxferError)?.message ?? "\(error)"
            logger.warning("no transient timer (\(reason)); the next 'bgxfer wake' starts it", metadata: metadata)
        }
    }

    /// Makes sure a worker runs the task's session; a failure leaves the task queued, saying so.
    public static func startWorker(for task: TransferTask, starter: WorkerStarter) throws {
        do {
            try starter.ensureWorker(session: task.session)
        } catch let error as BgxferError {
            throw BgxferError("task \(task.id) is queued, but \(error.message); run 'bgxfer wake' to try again")
        }
    }

    /// Cancels one task (`reason` says who asked, for the log). The worker notices the state and
    /// stops; the partial file is deleted, a scheduled start's timer stopped, and a resumable
    /// upload's resource deleted on the server (by its worker when one runs it, else here).
    public static func cancel(
        _ task: TransferTask, store: Store, environment: [String: String], commands: any CommandRunner,
        reason: String = "by the user"
    ) throws {
        let canceled = try markCanceled(task.id, store: store, keepingPartial: false)
        let log = { (message: String) in Logger(label: "bgxfer").info("\(message)", metadata: [LogKey.task: "\(task.id)"]) }
        PartialFile.remove(of: canceled)
        log("canceled \(reason)")
        if task.state == .scheduled, let outcome = ScheduledStart.disarm(task.id, environment: environment, commands: commands) {
            log("canceled: \(outcome)")
        }
        if task.state != .running, let resource = canceled.uploadURL, canceled.uploadProtocol?.isResumable == true {
            log("canceled: \(UploadResource.delete(resource, of: canceled))")
        }
    }

    /// `session cancel`: cancels every task of the session that has not ended, telling `canceled`
    /// each one's ID as it goes. A task that ends (or is removed) between the look and its cancel
    /// is left alone.
    public static func cancelSession(
        _ name: String, store: Store, environment: [String: String], commands: any CommandRunner,
        canceled: (TaskID) -> Void
    ) throws {
        for task in try store.liveTasks(of: name) {
            do {
                try cancel(
                    task, store: store, environment: environment, commands: commands,
                    reason: "with its session (bgxfer session cancel)")
            } catch let error as BgxferError where (try? store.task(task.id))?.state.isTerminal ?? true {
                Logger(label: "bgxfer").info("not canceled: \(error.message)", metadata: [LogKey.task: "\(task.id)"])
                continue
            }
            canceled(task.id)
        }
    }

    /// `cancel --resume-data`: writes the resume data first, and cancels only once it is on
    /// disk; a failure leaves the task as it was (a running one suspended). A running task is
    /// suspended first, so that its worker flushes the partial file and records every byte it
    /// received: the resume data then holds them all, not the last flushed count.
    public static func cancel(_ task: TransferTask, keepingResumeDataIn path: String, store: Store) throws {
        _ = try TaskStateMachine.transition(task.id, from: task.state, on: .cancel)
        var task = task
        if task.state == .running { task = try stopWorking(on: task, store: store) }
        try ResumeData(task: task).write(to: path)
        do {
            try markCanceled(task.id, store: store, keepingPartial: true)
        } catch {
            FileSystem.removeIfPresent(path)  // the task ended meanwhile: the data would be stale
            throw error
        }
        Logger(label: "bgxfer").info("canceled by the user, with resume data in \(path)", metadata: [LogKey.task: "\(task.id)"])
    }

    @discardableResult
    private static func markCanceled(_ id: TaskID, store: Store, keepingPartial: Bool) throws -> TransferTask {
        try store.transition(id, on: .cancel) { task in
            task.finishedAt = .now
            task.bytesPerSecond = nil
            task.nextAttemptAt = nil
            if keepingPartial { task.keepPartial = true }
        }
    }

    /// Suspends a running task and waits (at most 10 s) for its worker to let it go, having
    /// flushed and recorded its bytes; returns the task as the store then holds it.
    static func stopWorking(on task: TransferTask, store: Store) throws -> TransferTask {
        try suspend(task.id, store: store)
        return try store.awaitRelease(task.id, timeout: 10)
    }

    /// The worker sees the state, flushes the partial file and records how much is on disk.
    public static func suspend(_ id: TaskID, store: Store) throws {
        try store.transition(id, on: .suspend) { task in
            task.bytesPerSecond = nil
            task.nextAttemptAt = nil
        }
        Logger(label: "bgxfer").info("suspended by the user", metadata: [LogKey.task: "\(id)"])
    }

    /// The user resumes a suspended or failed task: queued again with a fresh retry budget and
    /// give-up clock, or, suspended before its beginning (`--begin-at`) is due at `now`,
    /// scheduled again (its transient timer, if it had one, is still armed). `notify`: new
    /// titles, when given.
    public static func resume(_ task: TransferTask, notify: NotifySettings?, store: Store, now: Date) throws -> TransferTask {
        let later = task.state == .suspended && (task.beginAt.map { $0 > now } ?? false)
        let resumed = try store.transition(task.id, on: later ? .resumeScheduled : .resume) { task in
            if let notify { task.notify = notify }
            task.budgetUsed = 0
            task.setbacks = 0
            task.progressAt = nil  // the give-up clock starts again with the next attempt
            task.errorCode = nil
            task.errorMessage = nil
            task.finishedAt = nil
            task.nextAttemptAt = nil
        }
        Logger(label: "bgxfer").info("resumed by the user", metadata: [LogKey.task: "\(task.id)"])
        return resumed
    }
}
