import Foundation

/// Standard output and error, written with `write(2)` (no buffering to forget to flush, no
/// shared mutable `FILE *` under Swift 6 concurrency checking); or, for a command run inside a
/// test, a `ConsoleCapture` that keeps what it was given.
public struct Console: Sendable {
    private let capture: ConsoleCapture?

    public init() { capture = nil }

    /// A console that writes nothing to the process's descriptors: `capture` keeps the text, and
    /// the console is not a terminal, 80 columns wide.
    public init(capturingInto capture: ConsoleCapture) { self.capture = capture }

    public func out(_ text: String) {
        if let capture { capture.append(text, error: false) } else { Self.write(STDOUT_FILENO, text) }
    }

    public func error(_ text: String) {
        if let capture { capture.append(text, error: true) } else { Self.write(STDERR_FILENO, text) }
    }

    public var stdoutIsTerminal: Bool { capture == nil && isatty(STDOUT_FILENO) == 1 }

    /// Columns of the terminal on stdout (80 when unknown).
    public var width: Int {
        var size = winsize()
        guard capture == nil, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { _ = FileSystem.writeAll(fd, UnsafeRawBufferPointer($0)) }
    }
}

/// What a captured `Console` was given, on its two streams.
public final class ConsoleCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var output = ""
    private var errors = ""

    public init() {}

    /// Standard output so far.
    public var out: String { lock.withLock { output } }
    /// Standard error so far.
    public var error: String { lock.withLock { errors } }

    fileprivate func append(_ text: String, error: Bool) {
        lock.withLock {
            if error { errors += text } else { output += text }
        }
    }
}
