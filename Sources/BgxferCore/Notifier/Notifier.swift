import Foundation

/// One desktop notification, as the Desktop Notifications spec has it.
public struct DesktopNotification: Codable, Sendable, Equatable {
    public enum Urgency: String, Codable, Sendable { case low, normal, critical }

    public var summary: String
    public var body: String
    public var urgency: Urgency
    /// The spec's `category` hint: `transfer.complete` or `transfer.error`.
    public var category: String
    /// A themed icon name.
    public var icon: String

    /// The notification for a task that ended (README, "Notifications"), or nil when it asked
    /// for none or has not ended. The body is markup (the Desktop Notifications spec): a file
    /// name or a server's reason is escaped, so `<b>` or `&` in it shows as written.
    public init?(task: TransferTask) {
        guard let notify = task.notify else { return nil }
        // A refresh run notifies on a change or a failure, never on "not modified" (README, "Refresh tasks and scheduled starts").
        if task.refreshID != nil && task.state == .completed && task.httpStatus == 304 { return nil }
        switch task.state {
        case .completed:
            summary = notify.successTitle(for: task.kind)
            var body = "\(Markup.escape(task.displayName)), \(Format.bytes(task.bytesTransferred))"
            if let started = task.startedAt, let finished = task.finishedAt {
                body += " in \(Self.took(finished.timeIntervalSince(started)))"
            }
            self.body = body
            urgency = .normal
            category = "transfer.complete"
            icon = task.kind == .upload ? "document-send" : "folder-download"
        case .failed:
            summary = notify.failureTitle(for: task.kind)
            body = Markup.escape("\(task.displayName): \(task.error?.message ?? "it failed")")
            urgency = .critical
            category = "transfer.error"
            icon = "dialog-error"
        default:
            return nil
        }
    }
}

/// Text for a notification body, which servers read as markup.
enum Markup {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text.escapedForMessage {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&apos;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}

extension DesktopNotification {
    /// "under a second", "12 s", "3:05", "1:02:03".
    static func took(_ seconds: Double) -> String {
        switch seconds {
        case ..<1: "under a second"
        case ..<60: "\(Int(seconds.rounded())) s"
        default: Format.duration(seconds)
        }
    }
}

/// What became of a notification.
public enum NotificationOutcome: Sendable, Equatable {
    case shown
    case skipped(String)

    /// As `show` prints it and the store keeps it.
    public var description: String {
        switch self {
        case .shown: "shown"
        case .skipped(let reason): "skipped: \(reason)"
        }
    }
}

/// Delivers desktop notifications. Must return within a few seconds whatever the bus does,
/// never start a bus or a notification server, and never throw: a notification is a courtesy.
public protocol Notifier: Sendable {
    func deliver(_ notification: DesktopNotification) -> NotificationOutcome
}
