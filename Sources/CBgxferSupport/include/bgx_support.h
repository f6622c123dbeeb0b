// Process and file-system calls that Swift cannot make safely on its own.
#ifndef BGXFER_SUPPORT_H
#define BGXFER_SUPPORT_H

#include <sys/types.h>

/// Starts `path` fully detached from the caller: fork, setsid, fork again, so that the program
/// is no session leader, has no controlling terminal and is not the caller's child.
///
/// In the program, stdin is /dev/null, stdout and stderr are `output_fd` (or /dev/null when it
/// is negative), `keep_fd` (when not negative) becomes descriptor 3 and every other descriptor
/// is closed. The working directory is `/`; no signal is blocked and every disposition is the
/// default.
///
/// Only async-signal-safe calls happen between fork and exec, because the caller is
/// multi-threaded. Returns the program's PID, or -1 with `errno` set when fork or exec failed
/// (an exec failure is reported from the grandchild through a close-on-exec pipe).
pid_t bgx_spawn_detached(const char *path, char *const argv[], char *const envp[], int keep_fd, int output_fd);

/// rename(2) that fails with EEXIST instead of replacing an existing `to`.
int bgx_rename_noreplace(const char *from, const char *to);

/// The same, both names relative to the directory `dirfd` (renameat2 with RENAME_NOREPLACE).
int bgx_renameat_noreplace(int dirfd, const char *from, const char *to);

/// Starts writing the file's dirty pages to disk and returns without waiting for them
/// (sync_file_range(2) with SYNC_FILE_RANGE_WRITE over the whole file): a later fdatasync then
/// has little left to wait for. 0, or -1 with errno set.
int bgx_start_writeback(int fd);

/// Blocks `signals` in the calling thread (and so in threads it starts later) and returns a
/// non-blocking signalfd that becomes readable when one arrives, or -1 with errno set.
int bgx_signalfd(const int *signals, int count);

/// Reads one pending signal from a signalfd: its number, or 0 when none is pending.
int bgx_signalfd_read(int fd);

/// A non-blocking inotify descriptor watching `directory` for modified, created and moved-in
/// files, or -1 with errno set.
int bgx_watch_directory(const char *directory);

/// A descriptor that becomes readable when process `pid` exits (pidfd_open(2)), or -1.
int bgx_pidfd_open(pid_t pid);

/// Reads and discards every pending event on a non-blocking descriptor.
void bgx_drain(int fd);

/// A non-blocking NETLINK_ROUTE socket (close-on-exec). With `groups` non-zero it is bound to
/// those multicast groups (RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE: the kernel's
/// link and route changes); with 0 it is for requests. -1 with errno set on failure.
int bgx_netlink_open(unsigned int groups);

/// Sends a dump request of `type` (RTM_GETLINK, RTM_GETROUTE) for every address family, with
/// sequence number `seq`. 0, or -1 with errno set.
int bgx_netlink_request_dump(int fd, unsigned short type, unsigned int seq);

#endif
