import ArgumentParser
import BgxferCore

struct Cancel: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop tasks and delete their partial files, or keep one as resume data.",
        discussion: """
            With --resume-data FILE (one task): first writes resume data (JSON, mode 0600) naming \
            the partial file, which is kept; 'bgxfer resume --resume-data FILE' continues the \
            download later, even after this task is removed. A resumable upload's resume data names \
            its upload resource instead; without --resume-data the server is asked to delete it.
            """)

    @OptionGroup var tasks: TaskIDs

    @Option(help: ArgumentHelp("Write resume data to this file before canceling.", valueName: "file"), completion: .file())
    var resumeData: String?

    func validate() throws {
        if resumeData != nil && tasks.ids.count != 1 { throw ValidationError("--resume-data goes with exactly one task ID") }
    }

    func run(_ context: Context) throws {
        let store = try context.openStore()
        let resolved = try tasks.ids.map(store.resolve)
        if let resumeData {
            let path = Destination.absolute(resumeData, in: context.workingDirectory)
            try TaskOperations.cancel(resolved[0], keepingResumeDataIn: path, store: store)
            return
        }
        for task in resolved { try TaskOperations.cancel(task, store: store, environment: context.environment, commands: context.commands) }
    }
}
