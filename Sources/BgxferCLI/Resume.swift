import ArgumentParser
import BgxferCore
import Foundation
import Logging

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue suspended or failed tasks, or make a new task from resume data.",
        discussion: """
            With task IDs: each suspended or failed task is queued again with a fresh retry budget \
            and continues from the bytes on disk when the server confirms they are still good \
            (else from zero, as 'show' then says). With --resume-data FILE (written by \
            'bgxfer cancel --resume-data'): a new task continues the download or resumable upload, \
            even after the original task was removed; it prints the new task's ID. An upload \
            continues only while its file is unchanged, and asks the server how much it holds.
            """)

    @Argument(help: "The tasks' IDs (or unique prefixes).", completion: TaskIDCompletion.kind)
    var ids: [String] = []

    @Option(help: ArgumentHelp("Continue from this resume data instead.", valueName: "file"), completion: .file())
    var resumeData: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("With --resume-data: save to this path instead.", valueName: "path"))
    var output: String?

    @Option(
        name: [.customShort("H"), .customLong("header")],
        help: ArgumentHelp("With --resume-data: send this header too; repeat for more.", valueName: "name: value"))
    var headers: [String] = []

    @Flag(help: "With --resume-data: print the new task as JSON.")
    var json = false

    @OptionGroup var notification: NotifyOptions

    func validate() throws {
        if resumeData == nil {
            if ids.isEmpty { throw ValidationError("give at least one task ID, or --resume-data FILE") }
            if output != nil || !headers.isEmpty || json {
                throw ValidationError("-o, -H and --json go with --resume-data")
            }
        } else if !ids.isEmpty {
            throw ValidationError("give either task IDs or --resume-data, not both")
        }
    }

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        try context.starter.launcher.prepare()
        let store = try context.openStore()
        if let resumeData {
            try resumeFromData(Destination.absolute(resumeData, in: context.workingDirectory), store: store, context: context)
            return
        }
        var sessions = Set<String>()
        let notify = try notification.settings()
        let now = try context.clock().now
        for task in try ids.map(store.resolve) {
            // A suspended task whose beginning is still to come waits for it again (its
            // transient timer, if it had one, is still armed).
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
            if !later { sessions.insert(resumed.session) }
            Logger(label: "bgxfer").info("resumed by the user", metadata: [LogKey.task: "\(task.id)"])
        }
        for session in sessions.sorted() { try context.starter.ensureWorker(session: session) }
    }

    private func resumeFromData(_ path: String, store: Store, context: Context) throws {
        let data = try ResumeData.read(from: path)
        if data.kind == .upload {
            return try resumeUpload(data, from: path, store: store, context: context)
        }
        guard var point = data.resumePoint, var destination = data.destination else {
            throw BgxferError.usage("\(path) is damaged resume data (inconsistent values)")
        }
        if let output {
            destination = Destination.absolute(output, in: context.workingDirectory)
        }
        let destinationCheck = Destination(
            output: destination, directory: nil, overwrite: false, workingDirectory: context.workingDirectory)
        try destinationCheck.check(destination)
        var draft = TaskDraft(url: data.url, destination: destination)
        draft.requestHeaders = try data.headers.map(HeaderField.parse) + headers.map(HeaderField.parse)
        draft.notify = try notification.settings() ?? data.notify
        // Every check is done: only now may the partial file move. The partial file must sit next to the destination, so the final rename is atomic.
        let directory = (destination as NSString).deletingLastPathComponent
        let original = point.partialPath
        if (original as NSString).deletingLastPathComponent != directory {
            let moved = directory + "/" + (original as NSString).lastPathComponent
            point.partialPath = try PartialFile.move(original, to: moved, bytes: point.bytes)
        }
        draft.resumeFrom = point
        let task: TransferTask
        do {
            task = try store.insert(draft)
        } catch {
            // No task: put the partial file back where the resume data says it is.
            if point.partialPath != original { _ = try? PartialFile.move(point.partialPath, to: original, bytes: point.bytes) }
            throw error
        }
        Logger(label: "bgxfer").info(
            "continues from resume data \(path) at byte \(point.bytes): \(Redaction.url(data.url)) → \(destination)",
            metadata: [LogKey.task: "\(task.id)"])
        context.console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        try context.starter.ensureWorker(session: task.session)
    }

    /// A resumable upload continues at its upload resource: the new task's first request asks
    /// the server how much it holds.
    private func resumeUpload(_ data: ResumeData, from path: String, store: Store, context: Context) throws {
        if output != nil { throw BgxferError.usage("-o is for downloads; \(path) is resume data for an upload") }
        var draft = TaskDraft(url: data.url, destination: nil)
        draft.kind = .upload
        draft.source = data.source
        draft.method = data.method
        draft.uploadProtocol = data.protocol
        draft.uploadURL = data.uploadURL
        draft.replyPath = data.replyPath
        draft.requestHeaders = try data.headers.map(HeaderField.parse) + headers.map(HeaderField.parse)
        draft.notify = try notification.settings() ?? data.notify
        let task = try store.insert(draft)
        Logger(label: "bgxfer").info(
            "continues from resume data \(path) at \(Redaction.url(data.uploadURL ?? data.url)) (the server said it held \(data.bytesSent ?? 0) bytes)",
            metadata: [LogKey.task: "\(task.id)"])
        context.console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        try context.starter.ensureWorker(session: task.session)
    }
}
