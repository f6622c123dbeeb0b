// libnotify for Swift. Only the `bgxfer __notify` child process calls it (see
// NotificationSender): libnotify can block for tens of seconds, and a child can be killed.
#include <libnotify/notify.h>

// GVariant hints are built with variadic g_variant_new; these take fixed arguments.
static inline void bgx_notification_set_string_hint(NotifyNotification *n, const char *key, const char *value) {
    notify_notification_set_hint(n, key, g_variant_new_string(value));
}
