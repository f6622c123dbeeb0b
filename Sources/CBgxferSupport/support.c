#define _GNU_SOURCE
#include "bgx_support.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

static int write_all(int fd, const void *buffer, size_t length) {
    const char *bytes = buffer;
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        bytes += written;
        length -= (size_t)written;
    }
    return 0;
}

static int read_all(int fd, void *buffer, size_t length) {
    char *bytes = buffer;
    size_t total = 0;
    while (total < length) {
        ssize_t got = read(fd, bytes + total, length - total);
        if (got < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (got == 0) break;
        total += (size_t)got;
    }
    return (int)total;
}

/// Gives the program a clean signal state whatever the caller's threads had: nothing blocked
/// (a caller started from a thread pool may have SIGTERM blocked), default dispositions (SIGPIPE
/// or SIGHUP may be ignored by the caller). Async-signal-safe.
static void reset_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    for (int signal = 1; signal < NSIG; signal++) {
        if (signal == SIGKILL || signal == SIGSTOP) continue;
        struct sigaction action = {.sa_handler = SIG_DFL};
        (void)sigaction(signal, &action, NULL);
    }
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/// Runs in the grandchild: arrange descriptors and exec. Never returns.
static void exec_detached(const char *path, char *const argv[], char *const envp[], int keep_fd,
                          int output_fd, int report_fd) {
    int null_fd = open("/dev/null", O_RDWR);
    if (null_fd < 0) goto fail;
    int out = output_fd >= 0 ? output_fd : null_fd;
    // Park the descriptors we still need above the range we are about to fill.
    int keep = -1;
    if (keep_fd >= 0 && (keep = fcntl(keep_fd, F_DUPFD, 10)) < 0) goto fail;
    int report = fcntl(report_fd, F_DUPFD_CLOEXEC, 10);
    if (report < 0) goto fail;
    int out_high = fcntl(out, F_DUPFD, 10);
    int null_high = fcntl(null_fd, F_DUPFD, 10);
    if (out_high < 0 || null_high < 0) goto fail;
    if (dup2(null_high, 0) < 0 || dup2(out_high, 1) < 0 || dup2(out_high, 2) < 0) goto fail;
    if (keep >= 0 && dup2(keep, 3) < 0) goto fail;
    report_fd = report;
    // Close everything else except the report pipe (close-on-exec, closed by exec itself).
    int first = keep >= 0 ? 4 : 3;
    for (int fd = first; fd < report_fd; fd++) close(fd);
    syscall(SYS_close_range, (unsigned)report_fd + 1, ~0U, 0);
    if (chdir("/") < 0) goto fail;
    reset_signals();
    execve(path, argv, envp);
fail:;
    int error = errno;
    write_all(report_fd, &error, sizeof error);
    _exit(127);
}

pid_t bgx_spawn_detached(const char *path, char *const argv[], char *const envp[], int keep_fd, int output_fd) {
    int report[2];  // grandchild → caller: its PID, then errno if exec failed
    if (pipe2(report, O_CLOEXEC) < 0) return -1;

    pid_t child = fork();
    if (child < 0) {
        int error = errno;
        close(report[0]);
        close(report[1]);
        errno = error;
        return -1;
    }
    if (child == 0) {
        close(report[0]);
        if (setsid() < 0) _exit(126);
        pid_t grandchild = fork();
        if (grandchild < 0) {
            int error = errno;
            pid_t none = -1;
            write_all(report[1], &none, sizeof none);
            write_all(report[1], &error, sizeof error);
            _exit(126);
        }
        if (grandchild > 0) {
            write_all(report[1], &grandchild, sizeof grandchild);
            _exit(0);
        }
        exec_detached(path, argv, envp, keep_fd, output_fd, report[1]);
    }

    close(report[1]);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    pid_t grandchild = -1;
    int got = read_all(report[0], &grandchild, sizeof grandchild);
    int exec_error = 0;
    int error_bytes = read_all(report[0], &exec_error, sizeof exec_error);
    close(report[0]);
    if (got != (int)sizeof grandchild || grandchild < 0) {
        errno = error_bytes == (int)sizeof exec_error ? exec_error : ECHILD;
        return -1;
    }
    if (error_bytes == (int)sizeof exec_error) {
        errno = exec_error;
        return -1;
    }
    return grandchild;
}

int bgx_rename_noreplace(const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
}

int bgx_renameat_noreplace(int dirfd, const char *from, const char *to) {
    return (int)syscall(SYS_renameat2, dirfd, from, dirfd, to, RENAME_NOREPLACE);
}

int bgx_start_writeback(int fd) {
    return sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
}

int bgx_signalfd(const int *signals, int count) {
    sigset_t mask;
    sigemptyset(&mask);
    for (int i = 0; i < count; i++) sigaddset(&mask, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &mask, NULL) != 0) return -1;
    return signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
}

int bgx_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t got;
    do {
        got = read(fd, &info, sizeof info);
    } while (got < 0 && errno == EINTR);
    return got == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

int bgx_watch_directory(const char *directory) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) return -1;
    if (inotify_add_watch(fd, directory, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

void bgx_drain(int fd) {
    char buffer[4096];
    for (;;) {
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got > 0) continue;
        if (got < 0 && errno == EINTR) continue;
        break;
    }
}

int bgx_pidfd_open(pid_t pid) {
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

int bgx_netlink_open(unsigned int groups) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return -1;
    struct sockaddr_nl address;
    memset(&address, 0, sizeof address);
    address.nl_family = AF_NETLINK;
    address.nl_groups = groups;
    if (bind(fd, (struct sockaddr *)&address, sizeof address) < 0) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    return fd;
}

int bgx_netlink_request_dump(int fd, unsigned short type, unsigned int seq) {
    // rtgenmsg would do for links; rtmsg is the larger of the two headers and the kernel reads
    // only the family from either.
    struct {
        struct nlmsghdr header;
        struct rtmsg body;
    } request;
    memset(&request, 0, sizeof request);
    request.header.nlmsg_len = NLMSG_LENGTH(sizeof request.body);
    request.header.nlmsg_type = type;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    request.header.nlmsg_seq = seq;
    request.body.rtm_family = AF_UNSPEC;
    struct sockaddr_nl kernel;
    memset(&kernel, 0, sizeof kernel);
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        ssize_t sent = sendto(fd, &request, request.header.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
        if (sent >= 0) return 0;
        if (errno != EINTR) return -1;
    }
}
