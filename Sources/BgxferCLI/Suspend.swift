import ArgumentParser
import BgxferCore

struct Suspend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause tasks, keeping every byte on disk; 'bgxfer resume' continues them.")

    @OptionGroup var tasks: TaskIDs

    func run() throws { try run(.current()) }

    func run(_ context: Context) throws {
        let store = try context.openStore()
        for task in try tasks.ids.map(store.resolve) { try TaskOperations.suspend(task.id, store: store) }
    }
}
