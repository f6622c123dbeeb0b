import ArgumentParser
import BgxferCore
import Foundation

/// A command that does its work through a `Context`: the process runs it with the real one
/// (`Context.current()`), a unit test with one it built (README, "Development").
protocol ContextCommand: ParsableCommand {
    func run(_ context: Context) throws
}

extension ContextCommand {
    func run() throws { try run(.current()) }
}

/// The side effects a command needs, gathered in one value so that tests can swap them: the
/// store's place (`paths`), the environment (and with it the scheduler's clock, `BGXFER_NOW`),
/// the working directory, the console, the launcher behind `starter`, and what runs external
/// tools (`systemd-run`, `systemctl`).
struct Context: Sendable {
    var paths: Paths
    var console: Console
    var environment: [String: String]
    var workingDirectory: String
    /// Starts workers; its launcher is chosen (and systemd asked) only when one is needed.
    var starter: WorkerStarter
    var commands: any CommandRunner = ExternalCommand()
    /// Asks whether a systemd user manager answers for this environment (nil: it does; else why
    /// not): transient timers and `bgxfer timer` need one.
    var probeUserManager: @Sendable ([String: String]) -> String? = { UserManagerProbe.problem(environment: $0) }

    func userManagerProblem() -> String? { probeUserManager(environment) }

    static func current() -> Context {
        let environment = ProcessInfo.processInfo.environment
        let paths = Paths(environment: environment)
        return Context(
            paths: paths, console: Console(), environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            starter: WorkerStarter(paths: paths, environment: environment))
    }

    /// The store, with the scheduler's clock (an invalid `BGXFER_NOW` is refused only by the
    /// commands that schedule: `clock()`).
    func openStore() throws -> Store { try Store.open(paths, clock: (try? clock()) ?? SchedulerClock(fixed: nil)) }

    /// The scheduler's clock: `BGXFER_NOW` when set.
    func clock() throws -> SchedulerClock { try SchedulerClock(environment: environment) }
}

extension Context {
    /// Queues a checked draft, prints its ID (or JSON), puts it to work (`TaskOperations.dispatch`),
    /// and with `wait` follows it: what download and upload share.
    func submit(_ draft: TaskDraft, describedAs what: String, json: Bool, wait: Bool) throws {
        let store = try openStore()
        let task = try store.insert(draft)
        console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        try TaskOperations.dispatch(
            task, describedAs: what, starter: starter, commands: commands, userManagerProblem: userManagerProblem)
        if wait {
            try Wait.follow([task.id], store: store, json: json, context: self)
        }
    }

    /// Makes sure a worker runs the task's session; a failure leaves the task queued, saying so.
    func startWorker(for task: TransferTask) throws { try TaskOperations.startWorker(for: task, starter: starter) }
}
