import Foundation

/// An error meant for the person at the terminal: one line, and the exit status to leave with.
///
/// Every message the CLI prints for a failed command comes from here, so they read alike:
/// what is wrong, naming the input, and what to do where that is not obvious.
public struct BgxferError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let exitCode: Int32

    public init(_ message: String, exitCode: Int32 = ExitStatus.failure) {
        self.message = message
        self.exitCode = exitCode
    }

    public var description: String { message }

    /// The command line asked for something malformed (exit 64, like argument-parser's own).
    public static func usage(_ message: String) -> BgxferError {
        BgxferError(message, exitCode: ExitStatus.usage)
    }

    /// The destination cannot be created (exit 73, sysexits' EX_CANTCREAT).
    public static func cannotCreate(_ message: String) -> BgxferError {
        BgxferError(message, exitCode: ExitStatus.cannotCreate)
    }

    public static func noTask(_ id: String) -> BgxferError {
        BgxferError("no task \(id)")
    }

    public static func ambiguousTask(_ prefix: String, matches: [TaskID]) -> BgxferError {
        let shown = matches.prefix(5).map(\.rawValue).joined(separator: ", ")
        let more = matches.count > 5 ? ", …" : ""
        return BgxferError("task ID '\(prefix)' is ambiguous: it starts \(shown)\(more); give more characters")
    }

    public static func system(_ what: String, path: String? = nil, errno code: Int32 = errno) -> BgxferError {
        let target = path.map { " \($0)" } ?? ""
        return BgxferError("\(what)\(target): \(FileSystem.describe(errno: code))")
    }
}

/// Exit statuses, as documented in the man page.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// A command failed, a waited-for task did not complete, or a task ID is unknown.
    public static let failure: Int32 = 1
    /// Malformed command line or input (sysexits' EX_USAGE, argument-parser's default).
    public static let usage: Int32 = 64
    /// The destination cannot be created (sysexits' EX_CANTCREAT).
    public static let cannotCreate: Int32 = 73
}
