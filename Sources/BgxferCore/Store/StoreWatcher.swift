import CBgxferSupport
import Foundation

/// Becomes readable when any process commits to the task store: an inotify watch on the state
/// directory, where SQLite appends every commit to the `-wal` file. Lets `wait` and the worker
/// sleep until something changes instead of polling on a timer.
public final class StoreWatcher {
    public let descriptor: Int32

    /// nil when inotify is unavailable (callers then fall back to their timeout).
    public init?(paths: Paths) {
        let fd = bgx_watch_directory(paths.stateDirectory)
        guard fd >= 0 else { return nil }
        descriptor = fd
    }

    deinit { close(descriptor) }

    /// Forgets the events seen so far.
    public func drain() { bgx_drain(descriptor) }

    /// Sleeps until the store changes or `timeout` seconds pass. Returns true on a change.
    @discardableResult
    public func wait(timeout: Double) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, Int32(max(0, timeout * 1000)))
        if ready > 0 {
            drain()
            return true
        }
        return false
    }
}

@available(*, unavailable)
extension StoreWatcher: Sendable {}

/// Delivers SIGTERM and SIGINT through a descriptor rather than a handler, so the worker loop
/// can poll for them next to its sockets.
final class SignalSource {
    let descriptor: Int32

    init(signals: [Int32]) throws {
        descriptor = signals.withUnsafeBufferPointer { bgx_signalfd($0.baseAddress, Int32($0.count)) }
        if descriptor < 0 { throw BgxferError.system("cannot create a signalfd") }
    }

    deinit { close(descriptor) }

    /// The signal received, if any.
    func take() -> Int32? {
        let signal = bgx_signalfd_read(descriptor)
        return signal > 0 ? signal : nil
    }
}

@available(*, unavailable)
extension SignalSource: Sendable {}
