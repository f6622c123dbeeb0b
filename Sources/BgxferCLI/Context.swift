import BgxferCore
import Foundation

/// The side effects a command needs, gathered in one value so that tests can swap them.
struct Context: Sendable {
    var paths: Paths
    var console: Console
    var environment: [String: String]
    var workingDirectory: String

    static func current() -> Context {
        let environment = ProcessInfo.processInfo.environment
        return Context(
            paths: Paths(environment: environment), console: Console(), environment: environment,
            workingDirectory: FileManager.default.currentDirectoryPath)
    }

    func openStore() throws -> Store { try Store.open(paths) }

    var starter: WorkerStarter { WorkerStarter(paths: paths, environment: environment) }
}

