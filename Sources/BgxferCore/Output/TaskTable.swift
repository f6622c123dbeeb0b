import Foundation

/// `bgxfer list`: one line per task, columns aligned.
public enum TaskTable {
    public static let header = ["ID", "KIND", "STATE", "PROGRESS", "SIZE", "SPEED", "NAME"]

    public static func render(_ tasks: [TransferTask], now: Date = Date()) -> String {
        TextTable.render([header] + tasks.map { row($0, now: now) })
    }

    static func row(_ task: TransferTask, now: Date = Date()) -> [String] {
        let size: String
        if let expected = task.bytesExpected {
            size = task.state == .completed
                ? Format.bytes(expected) : "\(Format.bytes(task.bytesTransferred))/\(Format.bytes(expected))"
        } else {
            size = task.bytesTransferred > 0 ? Format.bytes(task.bytesTransferred) : "-"
        }
        let speed = task.state == .running ? Format.rate(task.bytesPerSecond) : "-"
        var state = task.state.rawValue
        if let reason = WaitingReason.describe(task, now: now) {
            state += " (\(reason))"
        } else if let error = task.error, task.state == .failed {
            state += " (\(error.code))"
        }
        return [task.id.rawValue, task.kind.rawValue, state, Format.percent(task.progress), size, speed, task.displayName]
    }
}
