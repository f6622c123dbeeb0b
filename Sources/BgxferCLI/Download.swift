import ArgumentParser
import BgxferCore

struct Download: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Download a URL in the background.",
        discussion: """
            Queues the download, starts the session's worker if none runs, prints the task ID and \
            returns. The file is saved under the URL's last path segment in the current directory, \
            unless -o or -d says otherwise, and appears under its name only when complete (and \
            checksum-verified with --checksum).

            With --content-disposition the name comes from the server's Content-Disposition \
            header when it gives one (filename* or filename, reduced to a base name; a name that \
            is empty, '.', '..', starts with a dot or holds control characters is not used), else \
            from the URL, and is decided before the first byte is written: an existing file of \
            that name (without --overwrite) or another task's destination fails the task.

            Outages are waited out: while the network is down the task waits without spending \
            attempts and goes on when it returns; failures that may pass (no connection, a name \
            that does not resolve, a dropped transfer, 5xx, 408, 429) are retried, at most a minute \
            apart in the first hour and ten minutes after, until --give-up-after (7d) passes \
            without progress, or --retries attempts were made. --metered wait and --battery wait \
            (or --discretionary) hold it while the network is metered or the machine on battery; a \
            host on this machine (127.0.0.1, localhost) never waits for the network. Unless given, \
            a task takes its session's policy (bgxfer session set), else allow.
            """)

    @Argument(help: "The URL to fetch: http, https, ftp or ftps.")
    var url: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Save to this path.", valueName: "path"))
    var output: String?

    @Option(name: .shortAndLong, help: ArgumentHelp("Save into this directory.", valueName: "dir"))
    var directory: String?

    @Flag(help: "Replace the destination if it exists.")
    var overwrite = false

    @Flag(help: "Take the file name from the server's Content-Disposition header (else the URL's).")
    var contentDisposition = false

    @Option(help: ArgumentHelp("Verify the file before saving it: sha256:<64 hex digits>.", valueName: "sha256:hex"))
    var checksum: String?

    @OptionGroup var transfer: TransferOptions

    @OptionGroup var notification: NotifyOptions

    @Flag(help: "Wait for the download to end, showing its progress (exit 1 unless it completed).")
    var wait = false

    @Flag(help: "Print the task as JSON (and, with --wait, its events as JSON lines).")
    var json = false

    func run(_ context: Context) throws {
        let url = try TransferURL.validate(url)
        let destination = Destination(
            output: output, directory: directory, overwrite: overwrite, workingDirectory: context.workingDirectory)
        var draft: TaskDraft
        let target: String
        if contentDisposition {
            if output != nil { throw BgxferError.usage("--content-disposition takes the file's name from the server: it excludes -o") }
            let folder = Destination.absolute(directory ?? ".", in: context.workingDirectory)
            try destination.checkDirectory(folder)
            draft = TaskDraft(url: url, destination: nil)
            draft.nameDirectory = folder
            target = "\(folder)/ (named by the server)"
        } else {
            target = try destination.path(for: url)
            try destination.check(target)
            draft = TaskDraft(url: url, destination: target)
        }
        draft.overwrite = overwrite
        draft.checksum = try checksum.map(Checksum.parse)
        try transfer.apply(to: &draft, clock: context.clock())
        draft.notify = try notification.settings()
        try context.starter.launcher.prepare()

        try context.submit(draft, describedAs: "\(Redaction.url(url)) → \(target)", json: json, wait: wait)
    }
}
