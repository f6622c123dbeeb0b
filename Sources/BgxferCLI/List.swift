import ArgumentParser
import BgxferCore

struct List: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "List tasks, newest first: ID, kind, state, progress, size, speed, name.")

    @Flag(help: "Only downloads.")
    var downloads = false

    @Flag(help: "Only uploads.")
    var uploads = false

    @Option(help: ArgumentHelp("Only tasks in this state.", valueName: "state"))
    var state: TaskState?

    @Option(help: ArgumentHelp("Only tasks of this session.", valueName: "name"))
    var session: String?

    @Flag(help: "Print a JSON array of task objects.")
    var json = false

    func validate() throws {
        if downloads && uploads { throw ValidationError("--downloads and --uploads exclude each other") }
    }

    func run(_ context: Context) throws {
        let filter = TaskFilter(
            kind: downloads ? .download : uploads ? .upload : nil, state: state,
            session: try session.map(SessionName.validate))
        let tasks = try context.openStore().tasks(filter)
        if json {
            context.console.out(JSONValue.array(tasks.map { TaskJSON.value($0) }).rendered(pretty: true) + "\n")
        } else if !tasks.isEmpty {
            context.console.out(TaskTable.render(tasks) + "\n")
        }
    }
}
