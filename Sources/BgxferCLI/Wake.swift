import ArgumentParser
import BgxferCore

struct Wake: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run what is due: refresh tasks, scheduled tasks whose time has come, queued tasks and tasks left by a worker that died.",
        discussion: """
            What timers and cron call ('bgxfer timer'). Safe to run at any time, and several at \
            once: each due refresh runs once. With nothing due it does nothing and exits at once. \
            BGXFER_NOW (an RFC 3339 time) stands in for the clock.
            """)

    func run(_ context: Context) throws {
        let now = try context.clock().now
        // Nothing stored yet means nothing to do: do not create the state directory for that.
        guard let store = try Store.openExisting(context.paths) else { return }
        _ = try context.starter.wake(store: store, now: now)
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
