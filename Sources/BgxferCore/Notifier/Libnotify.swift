import CNotify
import Foundation

/// The `bgxfer __notify` side: shows one notification through libnotify and reports how it
/// went. Runs in its own process, which its parent kills if it takes too long.
public enum Libnotify {
    /// Shows `notification`; throws libnotify's message when it could not.
    public static func show(_ notification: DesktopNotification) throws {
        guard notify_init("bgxfer") != 0 else { throw BgxferError("libnotify: cannot initialise") }
        guard let handle = notify_notification_new(notification.summary, notification.body, notification.icon) else {
            throw BgxferError("libnotify: cannot create a notification")
        }
        let urgency: NotifyUrgency =
            switch notification.urgency {
            case .low: NOTIFY_URGENCY_LOW
            case .normal: NOTIFY_URGENCY_NORMAL
            case .critical: NOTIFY_URGENCY_CRITICAL
            }
        notify_notification_set_urgency(handle, urgency)
        notify_notification_set_category(handle, notification.category)
        notify_notification_set_app_name(handle, "bgxfer")
        var error: UnsafeMutablePointer<GError>?
        if notify_notification_show(handle, &error) == 0 {
            let message = error.map { String(cString: $0.pointee.message) } ?? "the notification was not shown"
            throw BgxferError("libnotify: \(message)")
        }
        // No unref or notify_uninit: with a server that stops answering they block for 25 s,
        // and the process ends now anyway.
    }
}
