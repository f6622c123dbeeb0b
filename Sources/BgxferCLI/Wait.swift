import ArgumentParser
import BgxferCore

struct Wait: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow tasks until they end; exit 0 only if all completed.",
        discussion: """
            On a terminal, a progress bar per task with percentage, bytes, speed and ETA. With \
            --json, or when stdout is not a terminal, one JSON object per line for each event: \
            headers, progress, state, completed, failed. A task whose worker is gone gets a new one.
            """)

    @OptionGroup var tasks: TaskIDs

    @Flag(help: "Print events as JSON lines even on a terminal.")
    var json = false

    func run(_ context: Context) throws {
        let store = try context.openStore()
        var seen = Set<TaskID>()
        let resolved = try tasks.ids.map { try store.resolve($0).id }.filter { seen.insert($0).inserted }
        try Self.follow(resolved, store: store, json: json, context: context)
    }

    /// Shared with `download --wait`. Throws `ExitCode.failure` unless every task completed.
    static func follow(_ ids: [TaskID], store: Store, json: Bool, context: Context) throws {
        let reporter: any FollowReporter =
            json || !context.console.stdoutIsTerminal
            ? JSONLinesReporter(console: context.console) : ProgressBarReporter(console: context.console)
        let follower = TaskFollower(store: store, ids: ids, starter: context.starter, reporter: reporter)
        if try !follower.run() { throw ExitCode.failure }
    }
}
