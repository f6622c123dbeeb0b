// bgxfer-notify SUMMARY BODY URGENCY CATEGORY ICON
//
// Shows one desktop notification through libnotify, for bgxfer's worker, which runs this helper
// with the session bus address in DBUS_SESSION_BUS_ADDRESS and no DISPLAY, and kills it after a
// few seconds (libnotify blocks 25 s and more when a server does not answer). A program of its
// own so that libnotify and GLib are loaded only here, never into bgxfer or its worker.
//
// Exit status: 0 shown; 1 not shown, with libnotify's reason on stderr; 64 bad arguments.
import CNotify

#if canImport(Glibc)
    import Glibc
#endif

func fail(_ message: String, status: Int32) -> Never {
    let line = "bgxfer-notify: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(status)
}

let arguments = CommandLine.arguments
guard arguments.count == 6 else { fail("usage: bgxfer-notify SUMMARY BODY URGENCY CATEGORY ICON", status: 64) }
let urgency: NotifyUrgency
switch arguments[3] {
case "low": urgency = NOTIFY_URGENCY_LOW
case "normal": urgency = NOTIFY_URGENCY_NORMAL
case "critical": urgency = NOTIFY_URGENCY_CRITICAL
default: fail("urgency must be low, normal or critical", status: 64)
}

guard notify_init("bgxfer") != 0 else { fail("libnotify: cannot initialise", status: 1) }
guard let notification = notify_notification_new(arguments[1], arguments[2], arguments[5]) else {
    fail("libnotify: cannot create a notification", status: 1)
}
notify_notification_set_urgency(notification, urgency)
notify_notification_set_category(notification, arguments[4])
notify_notification_set_app_name(notification, "bgxfer")
var error: UnsafeMutablePointer<GError>?
if notify_notification_show(notification, &error) == 0 {
    fail("libnotify: " + (error.map { String(cString: $0.pointee.message) } ?? "the notification was not shown"), status: 1)
}
// No unref or notify_uninit: with a server that stops answering they block for 25 s, and the
// process ends now anyway.
exit(0)
