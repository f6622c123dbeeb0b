import ArgumentParser
import BgxferCore

struct Wake: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start workers for every session with work: queued tasks, or tasks left by a worker that died.",
        discussion: "What timers and cron call. Safe to run at any time, and several at once.")

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        // Nothing stored yet means nothing to do: do not create the state directory for that.
        guard let store = try Store.openExisting(context.paths) else { return }
        _ = try context.starter.wake(store: store)
    }
}

/// The worker process (hidden): runs one session's transfers until none is left.
struct WorkerProcess: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "__worker", abstract: "Run a session's transfers (started by bgxfer itself).",
        shouldDisplay: false)

    @Option(help: "The session to run.")
    var session: String

    func run() throws {
        let context = Context.current()
        try Worker.runProcess(
            session: try SessionName.validate(session), paths: context.paths, environment: context.environment,
            logger: .init(label: "bgxfer.worker"))
    }
}
