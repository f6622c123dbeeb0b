import CCurl
import Foundation
import Logging

/// Runs one session's transfers, up to its parallelism, on one thread with the libcurl multi
/// interface, and exits when the session has nothing left to do.
///
/// The worker learns what to do from the task store only: the CLI queues, cancels or removes
/// tasks there, and the worker notices (an inotify watch on the store, `PRAGMA data_version`)
/// and follows. It holds its session's lock for as long as it runs.
///
/// It also follows the network and power (`NetworkMonitor`): a task that cannot run under them
/// (offline, a metered network with `--metered wait`, battery with `--battery wait`) waits for
/// them to change, and the worker stays, asleep on its descriptors, while any task does.
public final class Worker {
    /// How often progress is saved (one transaction for all running transfers).
    static let progressInterval = 0.5
    /// How often the store is checked when there is no inotify watch.
    static let fallbackCheckInterval = 2.0
    /// Longest sleep in one poll when nothing is due (curl_multi_poll takes no "forever").
    static let longestSleep = 3600.0

    private let store: Store
    private let session: String
    private var lock: FileLock
    private let logger: Logger
    private let multi: CurlMulti
    private let watcher: StoreWatcher?
    private let signals: SignalSource
    private let pid = getpid()
    private let notifier: any Notifier
    /// Says when scheduled tasks are due. The worker releases those due when it looks at the
    /// store; it does not stay to wait for later ones (`wake`, a timer or cron starts them).
    private let clock: SchedulerClock
    /// Notifications on their way; the worker waits for them (each bounded) before it exits.
    private let notifications = DispatchGroup()
    private let monitor: NetworkMonitor
    /// How many of the session's tasks wait for a condition (read on every reconcile).
    private var heldTasks = 0

    private var active: [TaskID: any Attempt] = [:]
    /// When the session's next waiting task may be retried; read from the store on every
    /// reconcile (it changes only when the store does), not on every turn of the loop.
    private var nextRetry: Date?
    private var byHandle: [UnsafeMutableRawPointer: any Attempt] = [:]
    private var attemptStarted: [TaskID: Double] = [:]

    public init(
        store: Store, session: String, lock: FileLock,
        clock: SchedulerClock = SchedulerClock(fixed: nil), notifier: any Notifier, monitor: NetworkMonitor, logger: Logger
    ) throws {
        self.store = store
        self.clock = clock
        self.monitor = monitor
        self.notifier = notifier
        self.session = session
        self.lock = lock
        var logger = logger
        logger[metadataKey: LogKey.session] = .string(session)
        self.logger = logger
        signals = try SignalSource(signals: [SIGTERM, SIGINT])
        multi = try CurlMulti()
        watcher = StoreWatcher(paths: store.paths)
    }

    /// Runs until the session has no work left, or a signal asks the worker to stop.
    public func run() throws {
        lock.recordHolder(pid: pid)
        logger.info("worker started (\(CurlLibrary.version))")
        logger.info("network: \(monitor.conditions.summary); watching \(monitor.sources)")
        for problem in monitor.problems { logger.notice("network source missing: \(problem)") }
        for task in try store.recoverOrphans(session: session) {
            logger.notice("continuing after its worker stopped", metadata: taskMetadata(task.id))
        }
        var knownVersion = try store.dataVersion()
        var lastCheck = Monotonic.seconds()
        var lastFlush = lastCheck
        var needsReconcile = true

        while true {
            if needsReconcile {
                try reconcile()
                needsReconcile = false
                lastCheck = Monotonic.seconds()
            }
            if active.isEmpty && nextRetry == nil && heldTasks == 0 {
                if try continueAfterIdle() {
                    needsReconcile = true
                    continue
                }
                break
            }

            try resumeRateLimited(now: Monotonic.seconds())
            multi.perform()
            for (handle, result) in multi.completed() {
                if let transfer = byHandle[handle] { try finish(transfer, result: result) }
                needsReconcile = true
            }
            try saveResponses()

            let now = Monotonic.seconds()
            if now - lastFlush >= Self.progressInterval {
                try saveProgress(now: now)
                lastFlush = now
            }
            if needsReconcile { continue }

            // Sleep until the next progress save (or the next retry when nothing runs), or until
            // a transfer paused by its rate limit may go on. With nothing running and nothing
            // due, only the store, the network and signals wake the worker.
            let idle = watcher == nil ? Self.fallbackCheckInterval : Self.longestSleep
            var timeout = active.isEmpty ? idle : max(0, lastFlush + Self.progressInterval - now)
            if let resume = active.values.compactMap(\.resumeAt).min() { timeout = min(timeout, max(0, resume - now)) }
            if monitor.hasPendingWork { timeout = 0 }
            if let nextRetry {
                let untilRetry = nextRetry.timeIntervalSinceNow
                if untilRetry <= 0 { needsReconcile = true; continue }
                timeout = min(timeout, untilRetry)
            }
            let ready = multi.poll(
                extra: [signals.descriptor] + (watcher.map { [$0.descriptor] } ?? []) + monitor.descriptors,
                timeoutMilliseconds: Int32(Int(saturating: min(timeout, Self.longestSleep) * 1000) + 1))
            if ready.contains(signals.descriptor), let signal = signals.take() {
                try stop(signal: signal)
                return
            }
            if monitor.handle(ready: ready) {
                logger.notice("network: \(monitor.conditions.summary)")
                needsReconcile = true
                continue
            }
            let storeTouched = watcher.map { ready.contains($0.descriptor) } ?? false
            if storeTouched { watcher?.drain() }
            if storeTouched || Monotonic.seconds() - lastCheck >= Self.fallbackCheckInterval {
                lastCheck = Monotonic.seconds()
                let version = try store.dataVersion()
                if version != knownVersion {
                    knownVersion = version
                    needsReconcile = true
                }
            }
        }
        logExit()
    }

    // MARK: - Following the store

    /// Stops transfers whose task is no longer running (suspended, canceled, removed) or may not
    /// run under the network and power now, and starts ready tasks while the session's
    /// parallelism leaves free slots.
    private func reconcile() throws {
        if !active.isEmpty {
            let states = try store.states(of: Array(active.keys))
            for (id, transfer) in active where states[id] != .running {
                abandon(transfer)
                try letGo(transfer, state: states[id])
            }
            for transfer in active.values {
                if let reason = conditions.hold(transfer.task) { try pause(transfer, reason) }
            }
        }
        _ = try store.releaseDueScheduled(now: clock.now, session: session)
        let conditions = conditions
        let hold: ((TransferTask) -> TaskError?)? = conditions.holdsNothing ? nil : { conditions.hold($0) }
        for task in try store.claimReady(session: session, running: active.count, pid: pid, hold: hold) {
            try start(task)
        }
        nextRetry = try store.nextRetry(session: session)
        heldTasks = try store.heldCount(session: session)
    }

    private var conditions: NetworkConditions { monitor.conditions }

    /// A running transfer whose condition stopped holding (the network went, became metered,
    /// the machine unplugged) stops with its bytes flushed and waits; the attempt is not
    /// counted.
    private func pause(_ transfer: any Attempt, _ reason: TaskError) throws {
        abandon(transfer)
        transfer.keep()
        try ifStillRunning(transfer.task.id) {
            try store.hold(transfer.task.id, reason, durableBytes: transfer.durableBytes)
        }
        logger.notice(
            "paused: \(reason.message); \(transfer.durableBytes) bytes kept, it goes on when that changes",
            metadata: taskMetadata(transfer.task.id))
    }

    /// The user suspended, canceled or removed a running task: keep its bytes when they may be
    /// wanted again (suspended; canceled with resume data), else delete them.
    private func letGo(_ transfer: any Attempt, state: TaskState?) throws {
        let id = transfer.task.id
        let keep: Bool
        switch state {
        case .suspended?, .queued?, .waiting?: keep = true
        case .canceled?: keep = try store.task(id)?.keepPartial ?? false
        default: keep = false
        }
        if keep {
            transfer.keep()
            try store.recordDurable(id, bytes: transfer.durableBytes)
        } else {
            transfer.discard()
            if state == .canceled, let upload = transfer as? ResumableUpload, let resource = upload.uploadURL {
                terminate(upload.task, at: resource)
            }
        }
        let what = state.map(\.rawValue) ?? "removed"
        logger.info("stopped: the task is \(what)\(keep ? "; \(transfer.durableBytes) bytes kept" : "")", metadata: taskMetadata(id))
    }

    /// The session looks idle: release the lock, then look once more, because a CLI may have
    /// queued a task after our last look but before the lock was free, and seen the lock held.
    /// Returns true when the worker got its lock back and has work again.
    private func continueAfterIdle() throws -> Bool {
        // Notifications still on their way finish (each within the notifier's deadline) while
        // the lock is held: the worker is not gone until they are.
        awaitNotifications()
        // Logged while the lock is still held: in the worker log, "worker started"/"took the
        // session lock again" and "releasing the session lock" lines strictly alternate.
        logger.info("releasing the session lock")
        lock.close()
        guard try store.hasPendingWork(session: session) else { return false }
        let again = try FileLock(path: store.paths.lockPath(session: session))
        guard try again.tryLock() else { return false }  // another worker has taken over
        lock = again
        lock.recordHolder(pid: pid)
        logger.info("took the session lock again")
        return true
    }

    private func start(_ task: TransferTask) throws {
        let transfer: any Attempt
        do {
            transfer =
                switch (task.kind, task.uploadProtocol?.isResumable ?? false) {
                case (.download, _): try Transfer(task: task) { [store] in try store.claimDestination(task.id, $0) }
                case (.upload, false): try Upload(task: task)
                case (.upload, true): try ResumableUpload(task: task)
                }
            try multi.add(transfer.easy)
        } catch {
            let failure =
                switch error {
                case let changed as UploadSourceChanged: TaskError(code: .sourceChanged, message: changed.message)
                default: TaskError(code: task.kind == .upload ? .readError : .writeError, message: "\(error)")
                }
            if let failed = try? store.fail(task.id, failure, durableBytes: 0) { announce(failed) }
            logger.error("failed to start: \(failure.message)", metadata: taskMetadata(task.id))
            return
        }
        track(transfer, startedAt: Monotonic.seconds())
        if let identity = transfer.partialIdentity, identity != task.partialIdentity {
            try store.recordPartialIdentity(task.id, identity)
        }
        if let note = transfer.freshStartReason {
            try store.noteFreshStart(task.id, reason: note)
            logger.notice("starting from zero: \(note)", metadata: taskMetadata(task.id))
        }
        let from = transfer.offset > 0 ? " from byte \(transfer.offset)" : ""
        let what = Self.describe(task)
        logger.info(
            "attempt \(task.attempts)\(from): \(what)",
            metadata: taskMetadata(task.id))
    }

    /// Transfers paused by their rate limit go on once their time has come.
    private func resumeRateLimited(now: Double) throws {
        for attempt in active.values {
            guard let at = attempt.resumeAt, at <= now else { continue }
            let result = attempt.resume()
            if result != CURLE_OK { try finish(attempt, result: result) }
        }
    }

    private func track(_ transfer: any Attempt, startedAt: Double?) {
        active[transfer.task.id] = transfer
        byHandle[transfer.easy.handle] = transfer
        attemptStarted[transfer.task.id] = startedAt
    }

    /// What an attempt moves, for its log line.
    private static func describe(_ task: TransferTask) -> String {
        guard task.kind == .upload else {
            return "\(Redaction.url(task.url)) → \(task.destination ?? task.nameDirectory.map { "\($0)/ (named by the server)" } ?? "-")"
        }
        let how = task.uploadProtocol.flatMap { $0.isResumable ? $0.rawValue : nil } ?? task.method ?? "POST"
        let resource = task.uploadURL.map { ", continuing at \(Redaction.url($0))" } ?? ""
        return "\(task.source?.path ?? "form") → \(how) \(Redaction.url(task.url))\(resource)"
    }

    private func abandon(_ transfer: any Attempt) {
        multi.remove(transfer.easy)
        active[transfer.task.id] = nil
        byHandle[transfer.easy.handle] = nil
        attemptStarted[transfer.task.id] = nil
    }

    // MARK: - Ending transfers

    private func finish(_ transfer: any Attempt, result: CURLcode) throws {
        let id = transfer.task.id
        let started = attemptStarted[id]
        let elapsed = started.map { Monotonic.seconds() - $0 }
        abandon(transfer)
        let outcome = transfer.finish(result: result)
        // Before the outcome is recorded: the store takes a response only from a running task.
        try saveResponse(of: transfer)
        try saveCheckpoint(of: transfer)
        switch outcome {
        case .nextRequest:
            do {
                try multi.add(transfer.easy)
                track(transfer, startedAt: started)
            } catch {
                try ifStillRunning(id) {
                    announce(try store.fail(id, TaskError(code: .internal, message: "\(error)"), durableBytes: transfer.durableBytes))
                }
            }
        case .verified:
            try complete(transfer, elapsed: elapsed)
        case .restart(let reason):
            transfer.discard()
            try ifStillRunning(id) {
                try store.retry(
                    id, TaskError(code: .restart, message: "starting again from zero: \(reason)"), at: Date(),
                    durableBytes: 0, restartNote: reason)
            }
            logger.notice("starting again from zero: \(reason)", metadata: taskMetadata(id))
        case .failed(let failure, let retryAfter):
            try fail(transfer, TaskError(code: failure.code, message: Redaction.text(failure.message, url: transfer.task.url)), retryAfter: retryAfter)
        }
    }

    /// An attempt failed: try again later (`RetryPolicy`), or fail the task. A transient
    /// failure that the network's state explains (it went while the attempt ran) is no failure:
    /// the task waits for the network without spending an attempt.
    private func fail(_ transfer: any Attempt, _ error: TaskError, retryAfter: Double?) throws {
        let id = transfer.task.id
        if monitor.catchUp() { logger.notice("network: \(conditions.summary)") }
        // The store's record, not the claim's copy: progress saved since moved the clock on.
        let task = try store.task(id) ?? transfer.task
        let now = Date()
        let plan = FailurePlan.decide(
            error, task: task, progressed: transfer.bytesWritten > transfer.offset, durableBytes: transfer.durableBytes,
            hold: conditions.hold(task), retryAfter: retryAfter, now: now)
        switch plan {
        case .hold(let reason):
            transfer.keep()
            try ifStillRunning(id) { try store.hold(id, reason, durableBytes: transfer.durableBytes) }
            logger.notice(
                "attempt ended (\(error.code): \(error.message)); waiting: \(reason.message)", metadata: taskMetadata(id))
        case .retry(let delay, let setbacks, let progressAt):
            transfer.keep()
            try ifStillRunning(id) {
                try store.retry(
                    id, error, at: now.addingTimeInterval(delay), durableBytes: transfer.durableBytes, setbacks: setbacks,
                    progressAt: progressAt)
            }
            let next = task.retries.map { "attempt \(task.budgetUsed + 1) of \($0)" } ?? "attempt \(task.budgetUsed + 1)"
            logger.warning(
                "attempt \(task.attempts) failed: \(error.code): \(error.message); retrying in \(Format.span(delay)) (\(next))",
                metadata: taskMetadata(id))
        case .fail(let keepBytes, let why):
            if keepBytes { transfer.keep() } else { transfer.discard() }
            try ifStillRunning(id) {
                announce(try store.fail(id, error, durableBytes: keepBytes ? transfer.durableBytes : 0))
            }
            let kept = keepBytes ? "; \(transfer.durableBytes) bytes kept for 'bgxfer resume'" : ""
            let giving = why.map { " (giving up: \($0))" } ?? ""
            logger.error("failed: \(error.code): \(error.message)\(giving)\(kept)", metadata: taskMetadata(id))
        }
    }

    /// Records an attempt's end unless the user canceled, suspended or removed the task
    /// meanwhile: then the user's word wins and there is nothing to record.
    private func ifStillRunning(_ id: TaskID, _ record: () throws -> Void) throws {
        do {
            try record()
        } catch let error as BgxferError {
            logger.info("ended without recording the outcome: \(error.message)", metadata: taskMetadata(id))
        }
    }

    private func saveResponse(of transfer: any Attempt) throws {
        if let response = transfer.takeResponse() {
            if let note = response.note { logger.info("\(note)", metadata: taskMetadata(transfer.task.id)) }
            try store.saveResponse(transfer.task.id, response, restartNote: transfer.takeTruncation())
        }
    }

    /// The attempt succeeded: the task is completed and, in the same transaction, its result
    /// is put in place (a download renamed onto its destination, an upload's `--reply` written).
    private func complete(_ transfer: any Attempt, elapsed: Double?) throws {
        let task = transfer.task
        let bytes = transfer.bytesWritten
        let seconds = elapsed ?? 0
        do {
            let completed = try store.complete(task.id, bytes: bytes, averageSpeed: seconds > 0 ? Double(bytes) / seconds : nil) {
                try transfer.putInPlace()
            }
            defer { announce(completed) }
            logger.info(
                "completed: \(transfer.completionSummary(seconds: seconds))", metadata: taskMetadata(task.id))
        } catch let error as PlacementError {
            if let failed = try? store.fail(task.id, TaskError(code: error.code, message: error.message), durableBytes: 0) {
                announce(failed)
            }
            logger.error("failed: \(error.message)", metadata: taskMetadata(task.id))
        } catch let error as BgxferError {
            // Suspended, canceled or removed while finishing: the user's word wins, and the bytes
            // go where it says (a suspended task keeps all of them: resumed, it has nothing left
            // to fetch).
            logger.info("not completed: \(error.message)", metadata: taskMetadata(task.id))
            try letGo(transfer, state: try store.states(of: [task.id])[task.id])
        }
    }

    // MARK: - Progress

    private func saveResponses() throws {
        for transfer in active.values {
            try saveResponse(of: transfer)
            try saveCheckpoint(of: transfer)
        }
    }

    /// A resumable upload's resource, stored as soon as the server names it: a worker killed a
    /// moment later leaves enough behind for the next one to continue.
    private func saveCheckpoint(of transfer: any Attempt) throws {
        guard let checkpoint = transfer.takeCheckpoint() else { return }
        try store.saveCheckpoint(transfer.task.id, checkpoint)
        if let note = checkpoint.restartNote {
            logger.notice("starting again from zero: \(note)", metadata: taskMetadata(transfer.task.id))
        }
    }

    /// Flushes what is due (README, "Interruptions": durability), then saves every running transfer's progress
    /// and flushed length in one transaction.
    private func saveProgress(now: Double) throws {
        let samples = active.map { id, transfer in
            transfer.syncIfDue(now: now)
            transfer.speed.record(bytes: transfer.bytesWritten, at: now)
            return ProgressSample(
                id: id, bytesTransferred: transfer.bytesWritten, durableBytes: transfer.durableBytes,
                bytesPerSecond: transfer.speed.bytesPerSecond)
        }
        try store.saveProgress(samples)
    }

    // MARK: - Stopping

    /// SIGTERM or SIGINT: hand the running tasks back to the queue, so the next worker starts
    /// them again, and exit.
    private func stop(signal: Int32) throws {
        var durable: [TaskID: Int64] = [:]
        for transfer in active.values {
            abandon(transfer)
            transfer.keep()
            durable[transfer.task.id] = transfer.durableBytes
        }
        try store.requeue(durable)
        let name = signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
        for (id, bytes) in durable.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            logger.notice(
                "stopped by \(name) (systemd stop, logout or shutdown); continues from byte \(bytes) with the next worker",
                metadata: taskMetadata(id))
        }
        logger.notice("stopping on signal \(signal); \(durable.count) task(s) will continue with the next worker")
        logger.info("releasing the session lock")
        logExit()
    }

    // MARK: - Notifications

    /// A task ended: its desktop notification, if it asked for one, on a thread of its own so
    /// that other transfers go on; what became of it is logged and stored for `show`.
    private func announce(_ task: TransferTask) {
        guard let notification = DesktopNotification(task: task) else { return }
        let (notifier, store, logger, metadata) = (notifier, store, logger, taskMetadata(task.id))
        DispatchQueue.global().async(group: notifications) {
            let outcome = notifier.deliver(notification)
            try? store.noteNotification(task.id, outcome.description)
            switch outcome {
            case .shown: logger.info("notification shown: \(notification.summary)", metadata: metadata)
            case .skipped(let reason): logger.notice("notification skipped: \(reason)", metadata: metadata)
            }
        }
    }

    /// A canceled resumable upload: the server is asked to forget it, on a thread of its own
    /// (bounded like a notification, and awaited with them before the worker exits).
    private func terminate(_ task: TransferTask, at resource: String) {
        let (logger, metadata) = (logger, taskMetadata(task.id))
        DispatchQueue.global().async(group: notifications) {
            logger.info("canceled: \(UploadResource.delete(resource, of: task))", metadata: metadata)
        }
    }

    private func awaitNotifications() {
        // Each notification is bounded by the notifier; this is only a backstop.
        if notifications.wait(timeout: .now() + 30) == .timedOut {
            logger.warning("notifications still on their way after 30 s")
        }
    }

    private func logExit() {
        awaitNotifications()
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        logger.info(
            "worker exiting",
            metadata: [
                "peak_rss_kib": "\(usage.ru_maxrss)",
                "cpu_user_s": "\(String(format: "%.3f", cpu(usage.ru_utime)))",
                "cpu_sys_s": "\(String(format: "%.3f", cpu(usage.ru_stime)))",
            ])
    }

    private func taskMetadata(_ id: TaskID) -> Logger.Metadata {
        [LogKey.task: .string(id.rawValue)]
    }
}

@available(*, unavailable)
extension Worker: Sendable {}
