import Foundation

/// `bgxfer list`: one line per task, columns aligned.
public enum TaskTable {
    public static let header = ["ID", "KIND", "STATE", "PROGRESS", "SIZE", "SPEED", "NAME"]

    public static func render(_ tasks: [TransferTask]) -> String {
        TextTable.render([header] + tasks.map(row))
    }

    static func row(_ task: TransferTask) -> [String] {
        let size: String
        if let expected = task.bytesExpected {
            size = task.state == .completed
                ? Format.bytes(expected) : "\(Format.bytes(task.bytesTransferred))/\(Format.bytes(expected))"
        } else {
            size = task.bytesTransferred > 0 ? Format.bytes(task.bytesTransferred) : "-"
        }
        let speed = task.state == .running ? Format.rate(task.bytesPerSecond) : "-"
        var state = task.state.rawValue
        if let error = task.error, task.state == .failed || task.state == .waiting { state += " (\(error.code))" }
        return [task.id.rawValue, task.kind.rawValue, state, Format.percent(task.progress), size, speed, task.displayName]
    }
}
