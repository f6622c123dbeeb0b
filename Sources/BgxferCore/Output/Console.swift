import Foundation

/// Standard output and error, written with `write(2)` (no buffering to forget to flush, no
/// shared mutable `FILE *` under Swift 6 concurrency checking).
public struct Console: Sendable {
    public init() {}

    public func out(_ text: String) { Self.write(STDOUT_FILENO, text) }
    public func error(_ text: String) { Self.write(STDERR_FILENO, text) }

    public var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Columns of the terminal on stdout (80 when unknown).
    public var width: Int {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { _ = FileSystem.writeAll(fd, UnsafeRawBufferPointer($0)) }
    }
}
