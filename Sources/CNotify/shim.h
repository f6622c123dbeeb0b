// libnotify for Swift. Only the bgxfer-notify helper uses it (see ChildProcessNotifier): so
// libnotify and GLib are never loaded into bgxfer or its worker, and a call that hangs can be
// ended by killing the helper.
#include <libnotify/notify.h>
