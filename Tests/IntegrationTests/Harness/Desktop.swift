import CSystemd
import Foundation
import Testing

/// A desktop for notification tests: Xvfb, a private dbus-daemon with its socket at `busPath`,
/// and dunst printing every notification it gets (`dunst -print`, line-buffered), all started
/// here and stopped by `stop()`.
final class Desktop {
    let display: String
    let busPath: String
    private let log: String
    private var processes: [Process] = []

    var environment: [String: String] { ["DISPLAY": display, "DBUS_SESSION_BUS_ADDRESS": "unix:path=\(busPath)"] }

    /// `notificationServer: false`: the bus only, no Xvfb and no dunst.
    init(in directory: String, busPath: String? = nil, notificationServer: Bool = true) throws {
        self.busPath = busPath ?? directory + "/desktop-bus"
        log = directory + "/dunst.log"
        var number = 0
        repeat { number = Int.random(in: 100..<900) } while FileManager.default.fileExists(atPath: "/tmp/.X\(number)-lock")
        display = ":\(number)"
        do {
            processes.append(
                try Command.start(
                    "/usr/bin/dbus-daemon", ["--session", "--nofork", "--nopidfile", "--address=unix:path=\(self.busPath)"],
                    log: directory + "/dbus.log"))
            try Self.await("the session bus") { FileManager.default.fileExists(atPath: self.busPath) }
            guard notificationServer else { return }
            processes.append(
                try Command.start(
                    "/usr/bin/Xvfb", [display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
                    log: directory + "/xvfb.log"))
            try Self.await("Xvfb on \(display)") { FileManager.default.fileExists(atPath: "/tmp/.X11-unix/X\(number)") }
            var environment = self.environment
            environment["PATH"] = "/usr/bin:/bin"
            processes.append(
                try Command.start("/usr/bin/stdbuf", ["-oL", "/usr/bin/dunst", "-print"], environment: environment, log: log))
            try Self.await("dunst on the bus") { try self.notificationServerRuns() }
        } catch {
            stop()
            throw error
        }
    }

    func notificationServerRuns() throws -> Bool {
        let outcome = try Command.run(
            "/usr/bin/dbus-send",
            ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications"],
            environment: environment)
        return outcome.stdout.contains("boolean true")
    }

    /// What dunst printed, one dictionary per notification (`summary`, `body`, `urgency`,
    /// `category`, `appname`, `icon`).
    func notifications() -> [[String: String]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        var result: [[String: String]] = []
        var current: [String: String]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "{" { current = [:]; continue }
            if line == "}" { if let current { result.append(current) }; current = nil; continue }
            guard current != nil, line.hasPrefix("\t"), let colon = line.firstIndex(of: ":") else { continue }
            let key = line[line.index(after: line.startIndex)..<colon]
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") { value = String(value.dropFirst().dropLast()) }
            current?[String(key)] = value
        }
        return result
    }

    /// Waits until dunst has printed `count` notifications (it prints each as it receives it).
    func awaitNotifications(_ count: Int, timeout: Double = 10) -> [[String: String]] {
        let deadline = Date().addingTimeInterval(timeout)
        var seen = notifications()
        while seen.count < count && Date() < deadline {
            usleep(20_000)
            seen = notifications()
        }
        return seen
    }

    func stop() {
        for process in processes.reversed() where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        processes = []
    }

    private static func await(_ what: String, timeout: Double = 15, _ ready: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while try !ready() {
            guard Date() < deadline else { throw HarnessError.failed("\(what) did not come up within \(timeout) s") }
            usleep(20_000)
        }
    }
}

/// A bus client that owns org.freedesktop.Notifications and never reads a message: every
/// Notify call to it waits for an answer that does not come.
final class SilentNotificationOwner {
    private let bus: OpaquePointer

    init(address: String) throws {
        var bus: OpaquePointer?
        var r = sd_bus_new(&bus)
        guard r >= 0, let bus else { throw HarnessError.failed("sd_bus_new: \(r)") }
        self.bus = bus
        r = sd_bus_set_address(bus, address)
        if r >= 0 { r = sd_bus_set_bus_client(bus, 1) }
        if r >= 0 { r = sd_bus_start(bus) }
        if r >= 0 { r = sd_bus_request_name(bus, "org.freedesktop.Notifications", 0) }
        guard r >= 0 else { throw HarnessError.failed("cannot own org.freedesktop.Notifications on \(address): \(r)") }
    }

    deinit { sd_bus_close_unref(bus) }
}
