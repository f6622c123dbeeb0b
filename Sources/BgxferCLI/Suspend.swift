import ArgumentParser
import BgxferCore

struct Suspend: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pause tasks, keeping every byte on disk; 'bgxfer resume' continues them.")

    @OptionGroup var tasks: TaskIDs

    func run(_ context: Context) throws {
        let store = try context.openStore()
        for task in try tasks.ids.map(store.resolve) { try TaskOperations.suspend(task.id, store: store) }
    }
}
