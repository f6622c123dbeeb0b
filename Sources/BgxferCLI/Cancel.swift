import ArgumentParser
import BgxferCore
import Logging

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop tasks and delete their partial files, or keep one as resume data.",
        discussion: """
            With --resume-data FILE (one task): first writes resume data (JSON, mode 0600) naming \
            the partial file, which is kept; 'bgxfer resume --resume-data FILE' continues the \
            download later, even after this task is removed. A resumable upload's resume data names \
            its upload resource instead; without --resume-data the server is asked to delete it.
            """)

    @OptionGroup var tasks: TaskIDs

    @Option(help: ArgumentHelp("Write resume data to this file before canceling.", valueName: "file"), completion: .file())
    var resumeData: String?

    func validate() throws {
        if resumeData != nil && tasks.ids.count != 1 { throw ValidationError("--resume-data goes with exactly one task ID") }
    }

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let store = try context.openStore()
        let resolved = try tasks.ids.map(store.resolve)
        if let resumeData {
            try cancel(keepingResumeData: Destination.absolute(resumeData, in: context.workingDirectory), resolved[0], store)
            return
        }
        for task in resolved { try Self.cancel(task, store: store, context: context) }
    }

    /// Suspends a running task and waits (at most 10 s) for its worker to let it go, having
    /// flushed and recorded its bytes; returns the task as the store then holds it.
    static func stopWorking(on task: TransferTask, store: Store) throws -> TransferTask {
        try store.transition(task.id, on: .suspend) { task in
            task.bytesPerSecond = nil
            task.nextAttemptAt = nil
        }
        return try store.awaitRelease(task.id, timeout: 10)
    }

    /// Cancels one task (`reason` says who asked, for the log). The worker notices the state and
    /// stops; the partial file is deleted, a scheduled start's timer stopped, and a resumable
    /// upload's resource deleted on the server (by its worker when one runs it, else here).
    static func cancel(_ task: TransferTask, store: Store, context: Context, reason: String = "by the user") throws {
        let canceled = try store.transition(task.id, on: .cancel) { task in
            task.finishedAt = .now
            task.bytesPerSecond = nil
            task.nextAttemptAt = nil
        }
        let log = { (message: String) in Logger(label: "bgxfer").info("\(message)", metadata: [LogKey.task: "\(task.id)"]) }
        PartialFile.remove(of: canceled)
        log("canceled \(reason)")
        if task.state == .scheduled, let outcome = ScheduledStart.disarm(task.id, environment: context.environment) {
            log("canceled: \(outcome)")
        }
        if task.state != .running, let resource = canceled.uploadURL, canceled.uploadProtocol?.isResumable == true {
            log("canceled: \(UploadResource.delete(resource, of: canceled))")
        }
    }

    /// Writes the resume data first, and cancels only once it is on disk: a failure leaves the
    /// task as it was (a running one suspended). A running task is suspended first, so that its
    /// worker flushes the partial file and records every byte it received: the resume data
    /// then holds them all, not the last flushed count.
    private func cancel(keepingResumeData path: String, _ task: TransferTask, _ store: Store) throws {
        _ = try TaskStateMachine.transition(task.id, from: task.state, on: .cancel)
        var task = task
        if task.state == .running {
            task = try Self.stopWorking(on: task, store: store)
        }
        try ResumeData(task: task).write(to: path)
        do {
            try store.transition(task.id, on: .cancel) { task in
                task.finishedAt = .now
                task.bytesPerSecond = nil
                task.nextAttemptAt = nil
                task.keepPartial = true
            }
        } catch {
            FileSystem.removeIfPresent(path)  // the task ended meanwhile: the data would be stale
            throw error
        }
        Logger(label: "bgxfer").info(
            "canceled by the user, with resume data in \(path)", metadata: [LogKey.task: "\(task.id)"])
    }
}
