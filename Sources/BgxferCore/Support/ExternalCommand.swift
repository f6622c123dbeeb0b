import Foundation

/// Runs the external tools bgxfer calls (`systemd-run`, `systemctl`): each call an argument
/// list, so that a test can give a `CommandRunner` of its own and assert the lists.
public protocol CommandRunner: Sendable {
    /// Returns what the tool printed; throws its first line of errors when it fails.
    @discardableResult
    func run(_ arguments: [String], environment: [String: String]) throws -> String
}

/// The real runner: the tool found on `PATH`, with stdin from /dev/null.
public struct ExternalCommand: CommandRunner {
    public init() {}

    @discardableResult
    public func run(_ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw BgxferError("cannot run \(arguments[0]): \(error)")
        }
        // Errors are short; the output is read first so that a long one cannot block the tool.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = message.split(separator: "\n").first.map(String.init) ?? "exit status \(process.terminationStatus)"
            throw BgxferError("\(arguments.joined(separator: " ")) failed: \(reason)")
        }
        return text
    }
}
