import Foundation
import Logging

/// A swift-log handler for machines without a journal: each task's lines go to
/// `log/task-<id>.log` (what `show` prints), everything else to `log/worker-<session>.log`.
///
/// Each line is appended with one `write` to a file opened with O_APPEND, so lines from
/// several processes never interleave within a line.
public struct FileLogHandler: MetadataLogHandler {
    private let paths: Paths
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    public init(paths: Paths) { self.paths = paths }

    public func log(event: LogEvent) {
        var fields = metadata(of: event)
        let path: String
        if case .string(let id)? = fields.removeValue(forKey: LogKey.task) {
            path = paths.taskLogPath(TaskID(id))
        } else if case .string(let session)? = fields[LogKey.session] {
            path = paths.workerLogPath(session: session)
        } else {
            path = paths.workerLogPath(session: SessionName.default)
        }
        let context = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        let line = "\(Timestamp.string(Date(), fractional: true)) \(event.level) [\(getpid())] \(event.message)\(context)\n"
        guard let fd = try? FileSystem.openPrivateAppend(path) else { return }
        defer { close(fd) }
        _ = line.utf8CString.withUnsafeBytes { FileSystem.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    }
}

/// What bgxfer's log handlers share: metadata set on the logger, from its provider and on the
/// event, merged in that order (later wins).
public protocol MetadataLogHandler: LogHandler {}

extension MetadataLogHandler {
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func metadata(of event: LogEvent) -> Logger.Metadata {
        var fields = metadata
        if let provided = metadataProvider?.get() { fields.merge(provided) { $1 } }
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        return fields
    }
}

/// The metadata keys bgxfer's log handlers understand.
public enum LogKey {
    /// The task a line is about: its file, or `BGXFER_TASK` in the journal.
    public static let task = "task"
    /// The worker's session: `BGXFER_SESSION` in the journal.
    public static let session = "session"
}

/// The last lines of a task's log, for `show`: from the journal and from the log files, in
/// time order (a task may have been run by workers logging to either).
public enum TaskLog {
    public static func tail(_ id: TaskID, paths: Paths, lines count: Int = 10) -> [String] {
        merge(fileTail(id, paths: paths, lines: count), JournalReader.tail(task: id, count: count), count: count)
    }

    static func fileTail(_ id: TaskID, paths: Paths, lines count: Int) -> [String] {
        guard let data = FileManager.default.contents(atPath: paths.taskLogPath(id)) else { return [] }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        return lines.suffix(count).map(String.init)
    }

    /// Both lists are oldest first and every line starts with its RFC 3339 UTC time, which
    /// sorts as text.
    static func merge(_ first: [String], _ second: [String], count: Int) -> [String] {
        if first.isEmpty || second.isEmpty { return Array((first + second).suffix(count)) }
        let stamp = { (line: String) in line.prefix { $0 != " " } }
        return Array((first + second).enumerated().sorted {
            (stamp($0.element), $0.offset) < (stamp($1.element), $1.offset)
        }.map(\.element).suffix(count))
    }

    public static func remove(_ id: TaskID, paths: Paths) {
        FileSystem.removeIfPresent(paths.taskLogPath(id))
    }
}
