import ArgumentParser
import BgxferCore

struct Download: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a URL in the background.",
        discussion: """
            Queues the download, starts the session's worker if none runs, prints the task ID and \
            returns. The file is saved under the URL's last path segment in the current directory, \
            unless -o or -d says otherwise, and appears under its name only when complete (and \
            checksum-verified with --checksum).
            """)

    @Argument(help: "The URL to fetch: http, https, ftp or ftps.")
    var url: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Save to this path.", valueName: "path"))
    var output: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Save into this directory.", valueName: "dir"))
    var directory: String?

    @Flag(help: "Replace the destination if it exists.")
    var overwrite = false

    @Option(help: ArgumentHelp("Verify the file before saving it: sha256:<64 hex digits>.", valueName: "sha256:hex"))
    var checksum: String?

    @OptionGroup var transfer: TransferOptions

    @OptionGroup var notification: NotifyOptions

    @Flag(help: "Wait for the download to end, showing its progress (exit 1 unless it completed).")
    var wait = false

    @Flag(help: "Print the task as JSON (and, with --wait, its events as JSON lines).")
    var json = false

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let url = try TransferURL.validate(url)
        let destination = Destination(
            output: output, directory: directory, overwrite: overwrite, workingDirectory: context.workingDirectory)
        let path = try destination.path(for: url)
        var draft = TaskDraft(url: url, destination: path)
        draft.overwrite = overwrite
        draft.checksum = try checksum.map(Checksum.parse)
        try transfer.apply(to: &draft, clock: context.clock())
        draft.notify = try notification.settings()
        try destination.check(path)
        try context.starter.launcher.prepare()

        try context.submit(draft, describedAs: "\(Redaction.url(url)) → \(path)", json: json, wait: wait)
    }
}
