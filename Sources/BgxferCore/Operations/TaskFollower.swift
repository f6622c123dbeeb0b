import Foundation

/// Shows tasks as they change; `wait` picks the terminal or the JSON-lines one.
public protocol FollowReporter: AnyObject {
    /// Called after every look at the store, with the tasks in the order they were asked for
    /// (nil: removed).
    func update(_ tasks: [(id: TaskID, previous: TransferTask?, current: TransferTask?)])
    /// Called once, when every task has ended.
    func finish()
}

/// `bgxfer wait`: follows tasks until each has ended (completed, failed, canceled, removed),
/// waking on every commit to the store rather than on a timer.
public final class TaskFollower {
    private let store: Store
    private let ids: [TaskID]
    private let starter: WorkerStarter?
    private let reporter: any FollowReporter
    /// How often the terminal is redrawn and workers are checked when nothing is committed.
    static let idleInterval = 0.5
    static let healInterval = 2.0

    public init(store: Store, ids: [TaskID], starter: WorkerStarter?, reporter: any FollowReporter) {
        self.store = store
        self.ids = ids
        self.starter = starter
        self.reporter = reporter
    }

    /// Returns true when every task completed.
    public func run() throws -> Bool {
        let watcher = StoreWatcher(paths: store.paths)
        var previous: [TaskID: TransferTask] = [:]
        var lastHeal = -Double.infinity
        while true {
            watcher?.drain()
            let current = Dictionary(try store.tasks(ids).map { ($0.id, $0) }, uniquingKeysWith: { $1 })
            reporter.update(ids.map { ($0, previous[$0], current[$0]) })
            previous = current
            let open = current.values.filter { !$0.state.isTerminal }
            if open.isEmpty { break }
            if let starter, Monotonic.seconds() - lastHeal >= Self.healInterval {
                // A task waits for a worker that is not there (it crashed, or was killed):
                // start one, so that waiting is enough to get the task done.
                lastHeal = Monotonic.seconds()
                for session in Set(open.filter(\.state.needsWorker).map(\.session))
                where !starter.isWorkerRunning(session: session) {
                    try starter.ensureWorker(session: session)
                }
            }
            if let watcher {
                watcher.wait(timeout: Self.idleInterval)
            } else {
                usleep(UInt32(Self.idleInterval * 1_000_000))
            }
        }
        reporter.finish()
        return ids.allSatisfy { previous[$0]?.state == .completed }
    }
}

/// NDJSON events on stdout: `wait --json`, or any `wait` whose stdout is not a terminal.
public final class JSONLinesReporter: FollowReporter {
    private let console: Console

    public init(console: Console = Console()) { self.console = console }

    public func update(_ tasks: [(id: TaskID, previous: TransferTask?, current: TransferTask?)]) {
        for (id, previous, current) in tasks {
            for event in WaitEvent.between(previous, current, id: id) {
                console.out(event.json().rendered() + "\n")
            }
        }
    }

    public func finish() {}
}

/// A live progress bar per task on a terminal, redrawn in place.
public final class ProgressBarReporter: FollowReporter {
    private let console: Console
    private var linesDrawn = 0

    public init(console: Console = Console()) { self.console = console }

    public func update(_ tasks: [(id: TaskID, previous: TransferTask?, current: TransferTask?)]) {
        let width = console.width
        var text = linesDrawn > 0 ? "\u{1B}[\(linesDrawn)A" : ""
        for (id, _, current) in tasks {
            text += "\r\u{1B}[2K" + Self.line(id: id, task: current, width: width) + "\n"
        }
        linesDrawn = tasks.count
        console.out(text)
    }

    public func finish() {}

    static func line(id: TaskID, task: TransferTask?, width: Int) -> String {
        guard let task else { return "\(id)  removed" }
        let name = task.displayName
        switch task.state {
        case .completed:
            let elapsed = task.startedAt.flatMap { start in task.finishedAt.map { $0.timeIntervalSince(start) } }
            let took = elapsed.map { " in \(Format.duration($0))" } ?? ""
            let speed = task.bytesPerSecond.map { " (\(Format.rate($0)))" } ?? ""
            return fit("\(id)  \(name)  completed  \(Format.bytes(task.bytesTransferred))\(took)\(speed)", width)
        case .failed:
            return fit("\(id)  \(name)  failed: \(task.error?.message ?? "unknown error")", width)
        case .running:
            break
        default:
            let reason = WaitingReason.describe(task).map { " (\($0))" } ?? ""
            return fit("\(id)  \(name)  \(task.state)\(reason)", width)
        }
        let percent = Format.percent(task.progress).leftPadded(to: 4)
        let amount = task.bytesExpected.map { "\(Format.bytes(task.bytesTransferred))/\(Format.bytes($0))" }
            ?? Format.bytes(task.bytesTransferred)
        var eta = "ETA --:--"
        if let expected = task.bytesExpected, let speed = task.bytesPerSecond, speed > 0 {
            eta = "ETA " + Format.duration(Double(expected - task.bytesTransferred) / speed)
        }
        let stats = "\(percent)  \(amount)  \(Format.rate(task.bytesPerSecond))  \(eta)"
        let label = "\(id)  \(name)  "
        let barWidth = min(40, width - label.count - stats.count - 4)
        guard barWidth >= 10 else { return fit(label + stats, width) }
        let filled = Int((task.progress ?? 0) * Double(barWidth))
        let bar = "[" + String(repeating: "=", count: filled) + (filled < barWidth ? ">" : "")
            + String(repeating: " ", count: max(0, barWidth - filled - 1)) + "]"
        return label + bar + "  " + stats
    }

    private static func fit(_ text: String, _ width: Int) -> String {
        let text = text.escapedForMessage  // a name or a server's reason: no control characters
        return text.count < width ? text : String(text.prefix(max(1, width - 2))) + "…"
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
