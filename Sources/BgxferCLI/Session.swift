import ArgumentParser
import BgxferCore
import Logging

/// `bgxfer session`: Apple's background sessions (`finishTasksAndInvalidate`,
/// `invalidateAndCancel`) and how many transfers each runs at once.
struct Session: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List sessions, let one finish, cancel one, or set how many transfers it runs at once.",
        discussion: """
            Every task belongs to a session ('default' unless --session names another), and one \
            worker runs each session's transfers, up to its parallelism (6 unless set, at most \
            200) at once; the others wait queued.
            """,
        subcommands: [ListSessions.self, Finish.self, CancelSession.self, SetSession.self])

    struct ListSessions: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List sessions: state, parallelism, tasks running, pending, suspended and ended, worker PID.")

        @Flag(help: "Print a JSON array.")
        var json = false

        func run(_ context: Context) throws {
            let sessions = try Store.openExisting(context.paths)?.sessions() ?? []
            if json {
                context.console.out(JSONValue.array(sessions.map(SessionTable.json)).rendered(pretty: true) + "\n")
            } else if !sessions.isEmpty {
                context.console.out(SessionTable.render(sessions) + "\n")
            }
        }
    }

    struct Finish: ContextCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a session's tasks end, taking no new ones meanwhile.",
            discussion: """
                The session's tasks go on (queued ones start, suspended ones wait for 'bgxfer \
                resume'); new downloads, uploads and refresh runs in it are refused until the last \
                of them has ended. Then it takes tasks again.
                """)

        @OptionGroup var session: KnownSession

        func run(_ context: Context) throws {
            let (name, store) = try session.open(context)
            let live = try store.finish(session: name)
            if live == 0 {
                context.console.error("session \(name) has no task left to finish\n")
            } else {
                Logger(label: "bgxfer").info("session \(name) is finishing: \(live) task(s) left")
                context.console.error("session \(name) is finishing: it takes no new task until its \(live) remaining task(s) have ended\n")
            }
        }
    }

    struct CancelSession: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "cancel",
            abstract: "Cancel every task of a session that has not ended; print their IDs.",
            discussion: "As 'bgxfer cancel' on each: partial files are deleted. Ended tasks stay listed.")

        @OptionGroup var session: KnownSession

        func run(_ context: Context) throws {
            let (name, store) = try session.open(context)
            try TaskOperations.cancelSession(name, store: store, environment: context.environment, commands: context.commands) {
                context.console.out("\($0)\n")
            }
        }
    }

    struct SetSession: ContextCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Set how many of a session's transfers run at once, and its new tasks' network and power policy.",
            discussion: """
                A running worker follows a new --parallel as soon as it notices: it starts no \
                transfer past it; transfers already running go on. --metered, --battery and \
                --discretionary are what the session's new tasks (and refresh runs) take when they \
                give none; tasks already made keep theirs.
                """)

        @Argument(help: "The session (it need not have tasks yet).", completion: SessionCompletion.kind)
        var name: String

        @Option(help: ArgumentHelp("Transfers at once: 1 to 200.", valueName: "n"))
        var parallel: Int?

        @OptionGroup var policy: PolicyOptions

        func validate() throws {
            if parallel == nil && policy.metered == nil && policy.battery == nil && !policy.discretionary {
                throw ValidationError("give --parallel, --metered, --battery or --discretionary")
            }
        }

        func run(_ context: Context) throws {
            let name = try SessionName.validate(name)
            let (metered, battery) = try policy.policies()
            let store = try context.openStore()
            let logger = Logger(label: "bgxfer")
            if let parallel {
                try store.setParallelism(parallel, of: name)
                logger.info("session \(name) runs up to \(parallel) transfer(s) at once")
            }
            if metered != nil || battery != nil {
                try store.setPolicies(metered: metered, battery: battery, of: name)
                let said = [metered.map { "--metered \($0)" }, battery.map { "--battery \($0)" }].compactMap { $0 }
                logger.info("session \(name): new tasks take \(said.joined(separator: " "))")
            }
        }
    }

}

/// The session `finish` and `cancel` act on: one that has tasks or settings.
struct KnownSession: ParsableArguments {
    @Argument(help: "The session.", completion: SessionCompletion.kind)
    var name: String

    /// The validated name and the store, or an error naming an unknown session.
    func open(_ context: Context) throws -> (name: String, store: Store) {
        let name = try SessionName.validate(name)
        let store = try context.openStore()
        guard try store.hasSession(name) else { throw BgxferError("no session \(name)") }
        return (name, store)
    }
}

/// Session names complete from the store.
enum SessionCompletion {
    static let kind = CompletionKind.custom { _, _, prefix in
        guard let store = try? Store.openExisting(Paths()), let sessions = try? store.sessions() else { return [] }
        return sessions.map(\.name).filter { $0.hasPrefix(prefix) }
    }
}
