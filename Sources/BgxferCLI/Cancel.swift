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
        for task in resolved {
            let canceled = try store.transition(task.id, on: .cancel) { task in
                task.finishedAt = .now
                task.bytesPerSecond = nil
                task.nextAttemptAt = nil
            }
            // The worker notices the state and stops; the partial file is useless either way.
            if let partial = canceled.partialPath { FileSystem.removeIfPresent(partial) }
            Logger(label: "bgxfer").info("canceled by the user", metadata: [LogKey.task: "\(task.id)"])
            if task.state == .scheduled, let outcome = ScheduledStart.disarm(task.id, environment: context.environment) {
                Logger(label: "bgxfer").info("canceled: \(outcome)", metadata: [LogKey.task: "\(task.id)"])
            }
            // A running upload's worker asks the server to forget it; with none, we do.
            if task.state != .running, let resource = canceled.uploadURL, canceled.uploadProtocol?.isResumable == true {
                let outcome = UploadResource.delete(resource, of: canceled)
                Logger(label: "bgxfer").info("canceled: \(outcome)", metadata: [LogKey.task: "\(task.id)"])
            }
        }
    }

    /// Writes the resume data first, and cancels only once it is on disk: a failure leaves the
    /// task as it was.
    private func cancel(keepingResumeData path: String, _ task: TransferTask, _ store: Store) throws {
        _ = try TaskStateMachine.transition(task.id, from: task.state, on: .cancel)
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
