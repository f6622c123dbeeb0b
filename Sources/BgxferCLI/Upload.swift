import ArgumentParser
import BgxferCore
import Foundation

struct UploadCommand: ContextCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload",
        abstract: "Upload a file in the background.",
        usage: """
            bgxfer upload <file> <url> [<options>]
              bgxfer upload --form <name=@file|name=value> ... <url> [<options>]
            """,
        discussion: """
            Queues the upload, starts the session's worker if none runs, prints the task ID and \
            returns. The file is the request body, streamed with its length known (POST unless \
            -X says PUT or PATCH; STOR for ftp and ftps URLs). With --form (and no file) the body \
            is multipart/form-data: fields, and files streamed from disk. The server's status, \
            headers and the start of its reply are kept for 'bgxfer show'; --reply saves the whole \
            reply body. Every file must stay as it is until the upload ends: if one changes, the \
            upload fails rather than send a mixture.

            A plain upload cannot continue where it stopped: a retried, resumed or restarted \
            upload sends the whole body again (FTP uploads append to what the server holds). With \
            --protocol tus (tus 1.0) or rufh (IETF Resumable Uploads for HTTP, draft interop \
            version 6) the server keeps what it received: every attempt asks it how much it holds \
            and sends the rest, and 'cancel --resume-data' keeps the upload resource for \
            'resume --resume-data'.
            """)

    @Argument(help: "The file to send as the body (left out with --form).", completion: .file())
    var file: String?

    @Argument(help: "Where to send it: http, https, ftp or ftps.")
    var url: String?

    @Option(
        name: [.customShort("X"), .customLong("request")],
        help: ArgumentHelp("The HTTP method: POST (the default), PUT or PATCH.", valueName: "method"))
    var method: String?

    @Option(
        name: [.customShort("F"), .customLong("form")],
        help: ArgumentHelp(
            "A multipart/form-data part: name=value, or name=@file[;type=TYPE][;filename=NAME]; repeat for more.",
            valueName: "part"))
    var form: [String] = []

    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp("How the upload resumes: plain, tus or rufh.", valueName: "protocol"))
    var uploadProtocol: String = "plain"

    @Option(help: ArgumentHelp("Write the server's reply body to this file when the upload completes.", valueName: "file"), completion: .file())
    var reply: String?

    @OptionGroup var transfer: TransferOptions

    @OptionGroup var notification: NotifyOptions

    @Flag(help: "Wait for the upload to end, showing its progress (exit 1 unless it completed).")
    var wait = false

    @Flag(help: "Print the task as JSON (and, with --wait, its events as JSON lines).")
    var json = false

    func run(_ context: Context) throws {
        let (file, given) = try operands()
        let url = try TransferURL.validate(given)
        var draft = TaskDraft(url: url, destination: nil)
        draft.kind = .upload
        draft.uploadProtocol = try UploadProtocol.parse(uploadProtocol)
        draft.method = try UploadRules.check(
            url: url, form: !form.isEmpty, protocol: draft.uploadProtocol ?? .plain, method: method)
        let what: String
        if let file {
            let path = Destination.absolute(file, in: context.workingDirectory)
            draft.source = try UploadSource.inspect(path)
            what = path
        } else {
            draft.form = try form.map { try FormPart.parse($0, in: context.workingDirectory) }
            what = "form (\(form.count) parts)"
        }
        if let reply {
            let replyPath = Destination.absolute(reply, in: context.workingDirectory)
            try Destination(output: replyPath, directory: nil, overwrite: true, workingDirectory: context.workingDirectory)
                .check(replyPath)
            draft.replyPath = replyPath
        }
        try transfer.apply(to: &draft, clock: context.clock())
        draft.notify = try notification.settings()
        try context.starter.launcher.prepare()

        try context.submit(
            draft, describedAs: "\(what) → \(draft.uploadProtocol == .tus ? "tus" : draft.method ?? "POST") \(Redaction.url(url))",
            json: json, wait: wait)
    }

    /// FILE URL, or with --form only URL.
    private func operands() throws -> (file: String?, url: String) {
        switch (file, url, form.isEmpty) {
        case (let file?, let url?, true): return (file, url)
        case (let url?, nil, false): return (nil, url)
        case (_?, _?, false): throw ValidationError("give either a file to send or --form parts, not both")
        case (_?, nil, true): throw ValidationError("missing the URL to upload to (bgxfer upload FILE URL)")
        case (nil, _, _): throw ValidationError("missing the file and the URL (bgxfer upload FILE URL, or --form … URL)")
        }
    }
}
