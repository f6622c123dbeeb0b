import ArgumentParser
import BgxferCore
import Foundation

struct UploadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a file in the background.",
        discussion: """
            Queues the upload, starts the session's worker if none runs, prints the task ID and \
            returns. The file is the request body, streamed with its length known (POST unless \
            -X says PUT or PATCH; STOR for ftp and ftps URLs). The server's status, headers and \
            the start of its reply are kept for 'bgxfer show'; --reply saves the whole reply body. \
            The file must not change until the upload ends: if it does, the upload fails rather \
            than send a mixture. A plain upload cannot continue where it stopped: a retried, \
            resumed or restarted upload sends the whole file again.
            """)

    @Argument(help: "The file to send.", completion: .file())
    var file: String

    @Argument(help: "Where to send it: http, https, ftp or ftps.")
    var url: String

    @Option(name: [.customShort("X"), .customLong("request")], help: ArgumentHelp("The HTTP method: POST, PUT or PATCH.", valueName: "method"))
    var method: String = "POST"

    @Option(help: ArgumentHelp("Write the server's reply body to this file when the upload completes.", valueName: "file"), completion: .file())
    var reply: String?

    @OptionGroup var transfer: TransferOptions

    @OptionGroup var notification: NotifyOptions

    @Flag(help: "Wait for the upload to end, showing its progress (exit 1 unless it completed).")
    var wait = false

    @Flag(help: "Print the task as JSON (and, with --wait, its events as JSON lines).")
    var json = false

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let url = try TransferURL.validate(url)
        let path = Destination.absolute(file, in: context.workingDirectory)
        var draft = TaskDraft(url: url, destination: nil)
        draft.kind = .upload
        draft.method = try UploadMethod.validate(method)
        draft.source = try UploadSource.inspect(path)
        if let reply {
            let replyPath = Destination.absolute(reply, in: context.workingDirectory)
            try Destination(output: replyPath, directory: nil, overwrite: true, workingDirectory: context.workingDirectory)
                .check(replyPath)
            draft.replyPath = replyPath
        }
        try transfer.apply(to: &draft)
        draft.notify = try notification.settings()
        try context.starter.launcher.prepare()

        try context.submit(
            draft, describedAs: "\(path) → \(draft.method ?? "POST") \(Redaction.url(url))", json: json, wait: wait)
    }
}
