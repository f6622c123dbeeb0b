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
            <destination>.bgxfer-<id>.part in the destination's directory.

            Workers: when the user's systemd manager answers, each worker runs in a transient \
            scope, bgxfer-<session>-<pid>.scope, listed by 'systemctl --user' and stopped with \
            the user's session; 'systemctl --user stop' on it puts its transfers back in the \
            queue, and the next 'bgxfer wake' (or download, resume, wait) continues them from \
            their last flushed byte. Without a manager, workers detach themselves (setsid). \
            'bgxfer doctor' says which launcher is in use and why.

            Logs: on a systemd machine, to the journal (journalctl -t bgxfer; one task: \
            journalctl BGXFER_TASK=<id>; one session: BGXFER_SESSION=<name>); otherwise to \
            $XDG_STATE_HOME/bgxfer/log/task-<id>.log. 'bgxfer show' prints a task's last lines \
            from either.

            Notifications: with --notify, --success-title or --failure-title, the worker shows one \
            desktop notification when the task completes or fails (not when it is canceled), \
            through libnotify on the session bus named by DBUS_SESSION_BUS_ADDRESS, else the \
            user session's $XDG_RUNTIME_DIR/bus or /run/user/UID/bus (so cron and timers find it). \
            Without a bus, or when the notification server does not answer within 5 s, it is \
            skipped; 'bgxfer show' says so and why. bgxfer never starts a bus or a server.

            Environment: BGXFER_LAUNCHER=auto|scope|detached chooses how workers start: auto \
            (the default) uses a systemd scope when a user manager answers and detaches \
            otherwise; scope fails when no manager answers; detached never uses systemd.

            Exit status: 0 on success; 1 when a command fails, a task ID is unknown, or a waited-for \
            task did not complete; 64 for malformed input; 73 when the destination cannot be created.
            """,
        version: Version.current,
        subcommands: [
            Download.self, UploadCommand.self, List.self, Show.self, Wait.self, Suspend.self, Resume.self, Cancel.self, Remove.self,
            Clean.self, Refresh.self, Session.self, Wake.self, Timer.self, Doctor.self,
            WorkerProcess.self,
        ]
    )

    public init() {}
}
