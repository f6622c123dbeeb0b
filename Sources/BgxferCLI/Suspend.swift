import ArgumentParser
import BgxferCore
import Logging

struct Suspend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause tasks, keeping every byte on disk; 'bgxfer resume' continues them.")

    @OptionGroup var tasks: TaskIDs

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let store = try context.openStore()
        for task in try tasks.ids.map(store.resolve) {
            // The worker sees the state, flushes the partial file and records how much is on disk.
            try store.transition(task.id, on: .suspend) { task in
                task.bytesPerSecond = nil
                task.nextAttemptAt = nil
            }
            Logger(label: "bgxfer").info("suspended by the user", metadata: [LogKey.task: "\(task.id)"])
        }
    }
}
