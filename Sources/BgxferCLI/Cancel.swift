import ArgumentParser
import BgxferCore
import Logging

struct Cancel: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop tasks and delete their partial files.")

    @Argument(help: "The tasks' IDs (or unique prefixes).", completion: TaskIDCompletion.kind)
    var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one task ID") }
    }

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let store = try context.openStore()
        let tasks = try ids.map(store.resolve)
        for task in tasks {
            let canceled = try store.transition(task.id, on: .cancel) { task in
                task.finishedAt = .now
                task.bytesPerSecond = nil
            }
            // The worker notices the state and stops; the partial file is useless either way.
            if let partial = canceled.partialPath { FileSystem.removeIfPresent(partial) }
            Logger(label: "bgxfer").info("canceled by the user", metadata: [FileLogHandler.taskKey: "\(task.id)"])
        }
    }
}
