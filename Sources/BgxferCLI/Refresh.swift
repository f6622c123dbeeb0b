import ArgumentParser
import BgxferCore
import Foundation
import Logging

/// `bgxfer refresh`: periodic refresh tasks (README, "Refresh tasks and scheduled starts").
struct Refresh: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep a file fresh: re-fetch a URL at most every 15 minutes, only when it changed.",
        discussion: """
            A refresh task re-fetches its URL into its destination every --every (at least 15m, so \
            at most four times an hour) with a conditional GET (If-None-Match, If-Modified-Since \
            from the last response): 304 leaves the file untouched, 200 replaces it atomically, and \
            a failed run keeps the old file and tries again when the next run is due. Runs happen \
            when 'bgxfer wake' finds them due: install the timer ('bgxfer timer install') or a \
            crontab line ('bgxfer timer cron') so that it is called.
            """,
        subcommands: [Add.self, ListRefreshes.self, RemoveRefresh.self, RunRefresh.self])

    struct Add: ContextCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a refresh task; its first run starts at once. Prints its ID.")

        @Argument(help: "The URL to fetch: http, https, ftp or ftps.")
        var url: String

        @Option(name: .shortAndLong, help: ArgumentHelp("The file to keep fresh.", valueName: "path"), completion: .file())
        var output: String

        @Option(help: ArgumentHelp("How often: at least 15m (90m, 6h, 1d).", valueName: "duration"))
        var every: String

        @Option(
            name: [.customShort("H"), .customLong("header")],
            help: ArgumentHelp("Send this request header; repeat for more.", valueName: "name: value"))
        var headers: [String] = []

        @Option(help: ArgumentHelp("Run in this session (one worker per session).", valueName: "name"))
        var session: String = SessionName.default

        @OptionGroup var notification: NotifyOptions

        @OptionGroup var policy: PolicyOptions

        @Flag(help: "Print the refresh task as JSON.")
        var json = false

        func run(_ context: Context) throws {
            let url = try TransferURL.validate(url)
            let path = Destination.absolute(output, in: context.workingDirectory)
            try Destination(output: path, directory: nil, overwrite: true, workingDirectory: context.workingDirectory).check(path)
            let now = try context.clock().now
            var refresh = RefreshTask(
                id: TaskID.random(), url: url, destination: path, every: try RefreshTask.interval(every),
                requestHeaders: try headers.map(HeaderField.parse), notify: try notification.settings(),
                session: try SessionName.validate(session), createdAt: now, nextRunAt: now)
            (refresh.metered, refresh.battery) = try policy.policies()
            try context.starter.launcher.prepare()
            let store = try context.openStore()
            let added = try store.insert(refresh)
            Logger(label: "bgxfer").info(
                "refresh task \(added.id) added: \(Redaction.url(url)) → \(path) every \(RefreshJSON.interval(added.every))")
            context.console.out(json ? RefreshJSON.value(added).rendered() + "\n" : "\(added.id)\n")
            for task in try store.startDueRefreshes(now: now, only: added.id) { try context.startWorker(for: task) }
        }
    }

    struct ListRefreshes: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List refresh tasks: next due time, last result, last change.")

        @Flag(help: "Print a JSON array.")
        var json = false

        func run(_ context: Context) throws {
            let refreshes = try Store.openExisting(context.paths)?.refreshTasks() ?? []
            if json {
                context.console.out(JSONValue.array(refreshes.map(RefreshJSON.value)).rendered(pretty: true) + "\n")
            } else if !refreshes.isEmpty {
                context.console.out(RefreshJSON.table(refreshes) + "\n")
            }
        }
    }

    struct RemoveRefresh: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove", abstract: "Remove refresh tasks (the files stay; a run in progress ends on its own).")

        @Argument(help: "The refresh tasks' IDs (or unique prefixes).", completion: RefreshIDCompletion.kind)
        var ids: [String]

        func run(_ context: Context) throws {
            let store = try context.openStore()
            for refresh in try ids.map(store.resolveRefresh) {
                try store.removeRefresh(refresh.id)
                Logger(label: "bgxfer").info("refresh task \(refresh.id) removed")
            }
        }
    }

    struct RunRefresh: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            abstract: "Run a refresh task now, whether due or not, and wait for its result (exit 1 if it failed).")

        @Argument(help: "The refresh task's ID (or a unique prefix).", completion: RefreshIDCompletion.kind)
        var id: String

        func run(_ context: Context) throws {
            let store = try context.openStore()
            let refresh = try store.resolveRefresh(id)
            try context.starter.launcher.prepare()
            guard let task = try store.startDueRefreshes(now: try context.clock().now, only: refresh.id).first else {
                throw BgxferError("refresh task \(refresh.id) is already running (task \(refresh.currentTask?.rawValue ?? "?"))")
            }
            try context.startWorker(for: task)
            _ = try TaskFollower(store: store, ids: [task.id], starter: context.starter, reporter: SilentReporter()).run()
            let result = try store.resolveRefresh(refresh.id.rawValue)
            context.console.out("\(result.lastResult?.rawValue ?? "-")\(result.lastError.map { ": \($0.escapedForMessage)" } ?? "")\n")
            if result.lastResult == .failed { throw ExitCode(1) }
        }
    }
}

/// The refresh object (README, "Reference"), and the table of `refresh list`.
enum RefreshJSON {
    static func value(_ refresh: RefreshTask) -> JSONValue {
        .object([
            ("id", .string(refresh.id.rawValue)),
            ("url", .string(Redaction.url(refresh.url))),
            ("destination", .string(refresh.destination)),
            ("every", .int(Int64(Int(saturating: refresh.every)))),
            ("lastRunAt", JSONValue(refresh.lastRunAt.map { Timestamp.string($0) })),
            ("nextRunAt", .string(Timestamp.string(refresh.nextRunAt))),
            ("lastResult", JSONValue(refresh.lastResult?.rawValue)),
            ("lastChangedAt", JSONValue(refresh.lastChangedAt.map { Timestamp.string($0) })),
            ("lastError", JSONValue(refresh.lastError)),
            ("session", .string(refresh.session)),
            ("running", JSONValue(refresh.currentTask?.rawValue)),
            // null: its runs take the session's policy when they are made.
            ("metered", JSONValue(refresh.metered?.rawValue)),
            ("battery", JSONValue(refresh.battery?.rawValue)),
        ])
    }

    /// `15m`, `6h`, `1d`, `90m`: the largest unit that divides the interval.
    static func interval(_ seconds: Double) -> String {
        let total = Int(saturating: seconds)
        for (unit, size) in [("d", 86400), ("h", 3600), ("m", 60)] where total % size == 0 { return "\(total / size)\(unit)" }
        return "\(total)s"
    }

    static func table(_ refreshes: [RefreshTask]) -> String {
        TextTable.render(
            [["ID", "EVERY", "NEXT", "LAST", "CHANGED", "DESTINATION"]]
                + refreshes.map { refresh in
                    [
                        refresh.id.rawValue, interval(refresh.every), Timestamp.string(refresh.nextRunAt),
                        refresh.currentTask != nil ? "running" : refresh.lastResult?.rawValue ?? "-",
                        refresh.lastChangedAt.map { Timestamp.string($0) } ?? "-", refresh.destination,
                    ]
                })
    }
}

/// Follows a task without printing anything (`refresh run` prints only the result).
final class SilentReporter: FollowReporter {
    func update(_ tasks: [(id: TaskID, previous: TransferTask?, current: TransferTask?)]) {}
    func finish() {}
}
