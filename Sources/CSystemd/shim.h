// libsystemd for Swift: sd-bus (the user manager, logind, the session bus), sd-journal
// (logging and reading back a task's lines) and sd-daemon (sd_booted).
//
// bgxfer calls only the non-variadic functions (sd_bus_message_append_basic,
// sd_bus_message_open_container, sd_bus_message_read_basic, sd_journal_sendv, ...), so
// no wrappers are needed here.
// bgxfer passes CODE_FILE, CODE_LINE and CODE_FUNC itself, from swift-log's event.
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
