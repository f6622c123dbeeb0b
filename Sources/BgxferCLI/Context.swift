import BgxferCore
import Foundation

/// The side effects a command needs, gathered in one value so that tests can swap them.
struct Context: Sendable {
    var paths: Paths
    var console: Console
    var environment: [String: String]
    var workingDirectory: String
    /// Starts workers; its launcher is chosen (and systemd asked) only when one is needed.
    var starter: WorkerStarter

    static func current() -> Context {
        let environment = ProcessInfo.processInfo.environment
        let paths = Paths(environment: environment)
        return Context(
            paths: paths, console: Console(), environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath,
            starter: WorkerStarter(paths: paths, environment: environment))
    }

    func openStore() throws -> Store { try Store.open(paths) }
}

