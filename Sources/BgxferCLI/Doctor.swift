import ArgumentParser
import BgxferCore
import Foundation

struct Doctor: ContextCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check what bgxfer relies on: systemd user manager, lingering, journal, session bus, notifications, network.",
        discussion: """
            Each line names a check, its status (ok, warning, error) and what was found; an \
            indented line below it says what to do. Exit status 1 when a check is an error, else 0.
            """)

    @Flag(help: "Print the checks as a JSON object.")
    var json = false

    func run(_ context: Context) throws {
        let checks = Checkup.run(environment: context.environment, paths: context.paths)
        context.console.out(json ? Self.json(checks).rendered(pretty: true) + "\n" : Self.text(checks))
        if checks.contains(where: { $0.status == .error }) { throw ExitCode(ExitStatus.failure) }
    }

    static func text(_ checks: [Check]) -> String {
        let width = (checks.map(\.name.count).max() ?? 0) + 2
        let indent = String(repeating: " ", count: width + 9)
        return checks.map { check in
            var line = check.name.padding(toLength: width, withPad: " ", startingAt: 0)
                + check.status.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0) + check.summary + "\n"
            if let fix = check.fix { line += indent + "→ " + fix + "\n" }
            return line
        }.joined()
    }

    static func json(_ checks: [Check]) -> JSONValue {
        .object([
            ("ok", .bool(!checks.contains { $0.status == .error })),
            (
                "checks",
                .array(
                    checks.map { check in
                        .object([
                            ("name", .string(check.name)), ("status", .string(check.status.rawValue)),
                            ("value", .string(check.value)), ("summary", .string(check.summary)),
                            ("fix", check.fix.map(JSONValue.string) ?? .null),
                        ])
                    })
            ),
        ])
    }
}
