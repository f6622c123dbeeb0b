import ArgumentParser
import BgxferCore

/// The root command.
public struct Bgxfer: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bgxfer",
        abstract: "Background downloads that survive the terminal, crashes and reboots.",
        discussion: """
            bgxfer takes a transfer, returns at once and keeps going after the terminal closes. \
            A worker process per session drives the transfers with libcurl; the task store in \
            $XDG_STATE_HOME/bgxfer (default ~/.local/state/bgxfer) is the single source of truth. \
            Downloads are written to a partial file next to the destination and renamed onto it \
            only when complete and verified.

            Task IDs are six characters; any unique prefix is accepted.

            Files: the task store and logs live in $XDG_STATE_HOME/bgxfer (mode 0700); session \
            locks in $XDG_RUNTIME_DIR/bgxfer when it is set. A download in progress is written to \
            <destination>.bgxfer-<id>.part in the destination's directory. Each task's log is \
            $XDG_STATE_HOME/bgxfer/log/task-<id>.log, and 'bgxfer show' prints its last lines.

            Exit status: 0 on success; 1 when a command fails, a task ID is unknown, or a waited-for \
            task did not complete; 64 for malformed input; 73 when the destination cannot be created.
            """,
        version: Version.current,
        subcommands: [
            Download.self, List.self, Show.self, Wait.self, Suspend.self, Resume.self, Cancel.self, Remove.self,
            Clean.self, Wake.self, Doctor.self,
            WorkerProcess.self,
        ]
    )

    public init() {}
}
