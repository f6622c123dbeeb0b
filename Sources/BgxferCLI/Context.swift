import BgxferCore
import Foundation
import Logging

/// The side effects a command needs, gathered in one value so that tests can swap them.
struct Context: Sendable {
    var paths: Paths
    var console: Console
    var environment: [String: String]
    var workingDirectory: String
    /// Starts workers; its launcher is chosen (and systemd asked) only when one is needed.
    var starter: WorkerStarter

    static func current() -> Context {
        let environment = ProcessInfo.processInfo.environment
        let paths = Paths(environment: environment)
        return Context(
            paths: paths, console: Console(), environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            starter: WorkerStarter(paths: paths, environment: environment))
    }

    func openStore() throws -> Store { try Store.open(paths) }
}

extension Context {
    /// Queues a checked draft, prints its ID (or JSON), makes sure a worker runs, and with
    /// `wait` follows it: what download and upload share.
    func submit(_ draft: TaskDraft, describedAs what: String, json: Bool, wait: Bool) throws {
        let store = try openStore()
        let task = try store.insert(draft)
        Logger(label: "bgxfer").info("queued: \(what)", metadata: [LogKey.task: "\(task.id)"])
        console.out(json ? TaskJSON.value(task).rendered() + "\n" : "\(task.id)\n")
        do {
            try starter.ensureWorker(session: task.session)
        } catch let error as BgxferError {
            throw BgxferError("task \(task.id) is queued, but \(error.message); run 'bgxfer wake' to try again")
        }
        if wait {
            try Wait.follow([task.id], store: store, json: json, context: self)
        }
    }
}
