import ArgumentParser
import BgxferCore
import Foundation
import Logging

/// The process entry: parses, runs, and turns every error into one line on stderr.
public enum Entry {
    public static func main(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let paths = Paths()
        switch LogDestination.current() {
        case .journal: LoggingSystem.bootstrap { _ in JournalLogHandler() }
        case .files: LoggingSystem.bootstrap { _ in FileLogHandler(paths: paths) }
        }
        do {
            var command = try Bgxfer.parseAsRoot(arguments)
            try command.run()
            exit(ExitStatus.success)
        } catch let error as BgxferError {
            Console().error("bgxfer: \(error.message)\n")
            exit(error.exitCode)
        } catch {
            let code = Bgxfer.exitCode(for: error)
            // Help, version and completion output keep argument-parser's own presentation; a
            // bare exit code (wait's "not all completed") prints nothing.
            if code == .success || error is ExitCode { Bgxfer.exit(withError: error) }
            let message = Bgxfer.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            Console().error("bgxfer: \(message.strippingErrorPrefix)\n")
            exit(code.rawValue)
        }
    }
}

extension String {
    fileprivate var strippingErrorPrefix: String {
        hasPrefix("Error: ") ? String(dropFirst("Error: ".count)) : self
    }
}
