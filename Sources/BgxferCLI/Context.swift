import ArgumentParser
import BgxferCore
import Foundation
import Logging

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
    /// Queues a checked draft, prints its ID (or JSON), makes sure a worker runs, and with
    /// `wait` follows it: what download and upload share.
    func submit(_ draft: TaskDraft, describedAs what: String, json: Bool, wait: Bool) throws {
        let store = try openStore()
        let task = try store.insert(draft)
        console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        if let begin = task.beginAt, task.state == .scheduled {
            let logger = Logger(label: "bgxfer")
            logger.info("scheduled for \(Timestamp.string(begin)): \(what)", metadata: [LogKey.task: "\(task.id)"])
            armTimer(for: task, at: begin, logger: logger)
        } else {
            Logger(label: "bgxfer").info("queued: \(what)", metadata: [LogKey.task: "\(task.id)"])
            try startWorker(for: task)
        }
        if wait {
            try Wait.follow([task.id], store: store, json: json, context: self)
        }
    }

    /// Where a user manager runs, a transient timer starts the scheduled task on time; else the
    /// periodic wake (timer or cron) does. Only logged: the task is scheduled either way.
    private func armTimer(for task: TransferTask, at begin: Date, logger: Logger) {
        let metadata: Logger.Metadata = [LogKey.task: "\(task.id)"]
        guard begin > Date() else { return }  // BGXFER_NOW ahead of the real clock: no timer in the past
        if let problem = userManagerProblem() {
            logger.info("no transient timer (\(problem)); the next 'bgxfer wake' starts it", metadata: metadata)
            return
        }
        do {
            let unit = try ScheduledStart.arm(
                task.id, at: begin, executable: starter.executable, environment: environment, commands: commands)
            logger.info("\(unit) will start it", metadata: metadata)
        } catch let error as BgxferError {
            logger.warning("no transient timer (\(error.message)); the next 'bgxfer wake' starts it", metadata: metadata)
        } catch {
            logger.warning("no transient timer (\(error)); the next 'bgxfer wake' starts it", metadata: metadata)
        }
    }

    /// Makes sure a worker runs the task's session; a failure leaves the task queued, saying so.
    func startWorker(for task: TransferTask) throws {
        do {
            try starter.ensureWorker(session: task.session)
        } catch let error as BgxferError {
            throw BgxferError("task \(task.id) is queued, but \(error.message); run 'bgxfer wake' to try again")
        }
    }
}
