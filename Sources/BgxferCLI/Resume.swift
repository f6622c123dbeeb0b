import ArgumentParser
import BgxferCore
import Foundation
import Logging

struct Resume: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue suspended or failed tasks, or make a new task from resume data.",
        discussion: """
            With task IDs: each suspended or failed task is queued again with a fresh retry budget \
            and continues from the bytes on disk when the server confirms they are still good \
            (else from zero, as 'show' then says). With --resume-data FILE (written by \
            'bgxfer cancel --resume-data'): a new task continues the download or resumable upload, \
            even after the original task was removed, with the options the task had (rate, \
            retries, timeouts, policies, session, headers, titles) unless given here; it prints \
            the new task's ID. An upload continues only while its file is unchanged, and asks the \
            server how much it holds. Resume data is checked before anything is done with it: a \
            partial file that is not the one bgxfer made, a URL 'download' would refuse, a reply \
            file that exists, or a number out of range is refused, naming the key.
            """)

    @Argument(help: "The tasks' IDs (or unique prefixes).", completion: TaskIDCompletion.kind)
    var ids: [String] = []

    @Option(help: ArgumentHelp("Continue from this resume data instead.", valueName: "file"), completion: .file())
    var resumeData: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("With --resume-data: save to this path instead.", valueName: "path"))
    var output: String?

    @Flag(help: "With --resume-data: print the new task as JSON.")
    var json = false

    /// With --resume-data: what the new task takes instead of what the resume data carries
    /// (-H adds headers).
    @OptionGroup var transfer: TransferOptions

    @OptionGroup var notification: NotifyOptions

    func validate() throws {
        if resumeData == nil {
            if ids.isEmpty { throw ValidationError("give at least one task ID, or --resume-data FILE") }
            let given = (output != nil ? ["-o"] : []) + (json ? ["--json"] : []) + transfer.given
            if !given.isEmpty {
                throw ValidationError("\(given.joined(separator: ", ")) go with --resume-data")
            }
        } else if !ids.isEmpty {
            throw ValidationError("give either task IDs or --resume-data, not both")
        }
    }

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
            let resumed = try TaskOperations.resume(task, notify: notify, store: store, now: now)
            if resumed.state == .queued { sessions.insert(resumed.session) }
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
        var draft = TaskDraft(url: data.url, destination: destination)
        data.apply(to: &draft)
        if output != nil { draft.overwrite = false }  // the task's --overwrite was for its own destination
        try transfer.apply(to: &draft, clock: context.clock())
        draft.notify = try notification.settings() ?? data.notify
        let destinationCheck = Destination(
            output: destination, directory: nil, overwrite: draft.overwrite, workingDirectory: context.workingDirectory)
        try destinationCheck.check(destination)
        // Every check is done: only now may the partial file move. The partial file must sit
        // next to the destination, so the final rename is atomic.
        let directory = (destination as NSString).deletingLastPathComponent
        let original = point.partialPath
        if (original as NSString).deletingLastPathComponent != directory {
            let moved = directory + "/" + (original as NSString).lastPathComponent
            point.identity = try PartialFile.move(original, to: moved, bytes: point.bytes)
            point.partialPath = moved
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
        data.apply(to: &draft)
        try transfer.apply(to: &draft, clock: context.clock())
        draft.notify = try notification.settings() ?? data.notify
        let task = try store.insert(draft)
        Logger(label: "bgxfer").info(
            "continues from resume data \(path) at \(Redaction.url(data.uploadURL ?? data.url)) (the server said it held \(data.bytesSent ?? 0) bytes)",
            metadata: [LogKey.task: "\(task.id)"])
        context.console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        try context.starter.ensureWorker(session: task.session)
    }
}
