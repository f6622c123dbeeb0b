import CSystemd
import Foundation
import Logging

/// A swift-log handler that writes to the systemd journal with `sd_journal_sendv`:
/// `SYSLOG_IDENTIFIER=bgxfer`, `PRIORITY`, `BGXFER_TASK` and `BGXFER_SESSION` from the
/// metadata, and the code location swift-log gives. So `journalctl BGXFER_TASK=ID` finds a
/// task's lines, and `journalctl -t bgxfer` all of them.
public struct JournalLogHandler: MetadataLogHandler {
    public static let identifier = "bgxfer"

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info

    public init() {}

    public func log(event: LogEvent) {
        let entry = Self.fields(
            message: "\(event.message)", level: event.level, metadata: metadata(of: event), file: event.file,
            line: event.line, function: event.function)
        Self.send(entry)
    }

    /// The journal fields of one entry (`NAME=value`), without sending it.
    static func fields(
        message: String, level: Logger.Level, metadata: Logger.Metadata, file: String, line: UInt, function: String
    ) -> [String] {
        var metadata = metadata
        var entry = [
            "PRIORITY=\(JournalPriority.value(for: level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
        ]
        if case .string(let task)? = metadata.removeValue(forKey: LogKey.task) { entry.append("BGXFER_TASK=\(task)") }
        if case .string(let session)? = metadata.removeValue(forKey: LogKey.session) {
            entry.append("BGXFER_SESSION=\(session)")
        }
        let context = metadata.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        entry.insert("MESSAGE=\(message)\(context)", at: 0)
        entry += ["CODE_FILE=\(file)", "CODE_LINE=\(line)", "CODE_FUNC=\(function)"]
        return entry
    }

    private static func send(_ fields: [String]) {
        let copies = fields.map { strdup($0)! }
        defer { copies.forEach { free($0) } }
        let vectors = copies.map { iovec(iov_base: UnsafeMutableRawPointer($0), iov_len: strlen($0)) }
        _ = sd_journal_sendv(vectors, Int32(vectors.count))
    }
}

/// syslog priorities as the journal stores them, and back.
enum JournalPriority {
    static func value(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func name(for value: Int) -> String {
        switch value {
        case ...2: "critical"
        case 3: "error"
        case 4: "warning"
        case 5: "notice"
        case 6: "info"
        default: "debug"
        }
    }
}

/// Where log lines go: the journal when one runs on a systemd machine, else files under
/// `$XDG_STATE_HOME/bgxfer/log/`.
public enum LogDestination: String, Sendable {
    case journal, files

    static let journalSocket = "/run/systemd/journal/socket"

    public static func current() -> LogDestination {
        sd_booted() > 0 && FileSystem.isSocket(journalSocket) ? .journal : .files
    }
}

/// Reads a task's lines back from the journals this user may read.
enum JournalReader {
    /// The last `count` entries with `BGXFER_TASK=id`, oldest first, formatted as the file log
    /// formats its lines.
    static func tail(task id: TaskID, count: Int) -> [String] {
        var journal: OpaquePointer?
        guard sd_journal_open(&journal, Int32(SD_JOURNAL_LOCAL_ONLY)) >= 0, let journal else { return [] }
        defer { sd_journal_close(journal) }
        let match = "BGXFER_TASK=\(id)"
        guard sd_journal_add_match(journal, match, match.utf8.count) >= 0, sd_journal_seek_tail(journal) >= 0 else {
            return []
        }
        var lines: [String] = []
        while lines.count < count, sd_journal_previous(journal) > 0 {
            var usec: UInt64 = 0
            guard sd_journal_get_realtime_usec(journal, &usec) >= 0,
                let message = field(journal, "MESSAGE")
            else { continue }
            let date = Date(timeIntervalSince1970: Double(usec) / 1_000_000)
            let level = field(journal, "PRIORITY").flatMap(Int.init).map(JournalPriority.name) ?? "info"
            let pid = field(journal, "_PID") ?? "?"
            lines.append("\(Timestamp.string(date, fractional: true)) \(level) [\(pid)] \(message)")
        }
        return lines.reversed()
    }

    private static func field(_ journal: OpaquePointer, _ name: String) -> String? {
        var data: UnsafeRawPointer?
        var length = 0
        guard sd_journal_get_data(journal, name, &data, &length) >= 0, let data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        let prefix = name.utf8.count + 1
        guard length >= prefix else { return nil }
        return String(decoding: bytes[prefix...], as: UTF8.self)
    }
}
