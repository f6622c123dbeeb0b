import ArgumentParser
import BgxferCore
import Foundation

struct Remove: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget ended tasks (downloaded files stay).")

    @OptionGroup var tasks: TaskIDs

    func run(_ context: Context) throws {
        let store = try context.openStore()
        let ids = try tasks.ids.map { try store.resolve($0).id }
        Forget.leftovers(of: try store.remove(ids), paths: context.paths)
    }
}

struct Clean: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget every ended task, or those that ended long enough ago (files stay).")

    @Option(help: ArgumentHelp("Only tasks that ended more than this long ago: 12h, 7d.", valueName: "duration"))
    var olderThan: String?

    func run(_ context: Context) throws {
        let cutoff = try olderThan.map { Date.now.addingTimeInterval(-(try Quantity.seconds($0, what: "duration"))) }
        let removed = try context.openStore().clean(finishedBefore: cutoff)
        Forget.leftovers(of: removed, paths: context.paths)
        for task in removed { context.console.out("\(task.id)\n") }
    }
}

/// What a forgotten task leaves behind that nobody else can use: its partial file (unless
/// resume data refers to it) and its log.
enum Forget {
    static func leftovers(of tasks: [TransferTask], paths: Paths) {
        for task in tasks {
            if !task.keepPartial { PartialFile.remove(of: task) }
            TaskLog.remove(task.id, paths: paths)
        }
    }
}
