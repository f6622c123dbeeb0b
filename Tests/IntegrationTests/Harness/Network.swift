import Foundation

/// A private D-Bus system bus (Tests/Network/system-bus.conf), where NetworkManager and UPower
/// run for real; workers find it through `DBUS_SYSTEM_BUS_ADDRESS` (`environment`).
final class SystemBus {
    let socket: String
    private let process: Process

    var address: String { "unix:path=\(socket)" }
    var environment: [String: String] { ["DBUS_SYSTEM_BUS_ADDRESS": address] }

    init(in directory: String) throws {
        socket = directory + "/system_bus_socket"
        let template = try String(contentsOfFile: Repository.path + "/Tests/Network/system-bus.conf", encoding: .utf8)
        let config = directory + "/system-bus.conf"
        try template.replacingOccurrences(of: "@SOCKET@", with: socket).write(toFile: config, atomically: true, encoding: .utf8)
        process = try Command.start(
            "/usr/bin/dbus-daemon", ["--config-file=\(config)", "--nofork", "--nopidfile"], log: directory + "/system-bus.log")
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: socket) {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw HarnessError.failed("the system bus did not start: \(HeldScript.read(directory + "/system-bus.log"))")
            }
            usleep(10_000)
        }
    }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// Tests/Network/network-lab.sh: a client namespace whose only way out is a veth to a server
/// namespace, where nginx serves `www` at `url(_:)`; with `networkManager`, a real
/// NetworkManager manages the client's side of the veth on that bus. Stopped (and every
/// namespace removed) by `stop`, or when this process dies.
final class NetworkLab {
    let id: String
    let net: String
    private let script: HeldScript

    var client: String { "bgx-\(id)-c" }
    var server: String { "bgx-\(id)-s" }
    var clientLink: String { "bgx\(id)c" }
    var serverLink: String { "bgx\(id)s" }
    var gateway: String { net + ".1" }
    var www: String { script.directory + "/www" }

    /// `networkManager`: the system bus NetworkManager runs on.
    init(networkManager: SystemBus? = nil) throws {
        let id = String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6))
        // A /24 of its own, so that labs of tests running at once never meet.
        let net = "10.\(Int.random(in: 100...250)).\(Int.random(in: 0...255))"
        self.id = id
        self.net = net
        script = try HeldScript(
            Repository.path + "/Tests/Network/network-lab.sh", name: "lab", what: "the network lab", timeout: 60
        ) { _ in
            ["--id", id, "--net", net] + (networkManager.map { ["--network-manager", $0.address] } ?? [])
        }
    }

    func url(_ name: String) -> String { "http://\(gateway):8080/\(name)" }

    /// Writes `size` random bytes to the server's document root; returns their sha256.
    @discardableResult
    func serve(_ name: String, size: Int) throws -> String { try TestFiles.random(at: www + "/" + name, size: size) }

    /// The server's requests for `name` so far.
    func requests(_ name: String) -> [LoggedRequest] {
        LoggedRequest.parse(HeldScript.read(script.directory + "/ranges.log")).filter { $0.path == "/" + name }
    }

    /// `ip ARGUMENTS`, which must succeed.
    func ip(_ arguments: String...) throws {
        let outcome = try Command.run("/usr/sbin/ip", arguments, environment: [:])
        guard outcome.status == 0 else { throw HarnessError.failed("ip \(arguments.joined(separator: " ")): \(outcome.stderr)") }
    }

    /// `nmcli ARGUMENTS` against the lab's NetworkManager, which must succeed.
    func nmcli(_ bus: SystemBus, _ arguments: String...) throws {
        let outcome = try Command.run("/usr/bin/nmcli", arguments, environment: bus.environment.merging(["PATH": "/usr/bin:/bin"]) { $1 })
        guard outcome.status == 0 else { throw HarnessError.failed("nmcli \(arguments.joined(separator: " ")): \(outcome.stderr)") }
    }

    func stop() { script.stop() }

    deinit { stop() }
}

/// Tests/Power/upower-session.py under umockdev-wrapper: a real upowerd on the bus, seeing a
/// simulated AC adapter and battery that the test plugs and unplugs.
final class PowerSupply {
    private let command: StreamingCommand
    private let input: FileHandle

    init(bus: SystemBus, in directory: String) throws {
        let state = directory + "/upower"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let pipe = Pipe()
        input = pipe.fileHandleForWriting
        command = try StreamingCommand(
            "/usr/bin/umockdev-wrapper",
            ["/usr/bin/python3", Repository.path + "/Tests/Power/upower-session.py", "--bus", bus.address, "--dir", state],
            environment: ["PATH": "/usr/bin:/bin"], standardInput: pipe)
        guard command.nextLine() == "ready" else {
            stop()
            throw HarnessError.failed("upowerd did not start: \(HeldScript.read(state + "/upowerd.log").suffix(600))")
        }
    }

    /// Unplugs the AC adapter; returns when UPower says the machine is on battery.
    func unplug() throws { try send("ac 0", expecting: "on-battery true") }

    func plugIn() throws { try send("ac 1", expecting: "on-battery false") }

    private func send(_ line: String, expecting answer: String) throws {
        try input.write(contentsOf: Data((line + "\n").utf8))
        let got = command.nextLine()
        guard got == answer else { throw HarnessError.failed("upower-session.py answered '\(got ?? "nothing")' to '\(line)'") }
    }

    func stop() {
        try? input.close()
        command.process.waitUntilExit()
    }

    deinit { stop() }
}

/// The repository this test bundle was built from.
enum Repository {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}

extension Sandbox {
    /// Runs the built `bgxfer` inside network namespace `namespace` (ip netns exec), with the
    /// sandbox's environment: there its worker starts, and there it stays.
    @discardableResult
    func bgxfer(
        in namespace: String, _ arguments: [String], environment extra: [String: String] = [:], timeout: Double? = nil
    ) throws -> Outcome {
        try Command.run(
            "/usr/sbin/ip", ["netns", "exec", namespace, Binary.path] + arguments,
            environment: environment.merging(extra) { $1 }, directory: downloads, timeout: timeout)
    }

    /// `download` inside `namespace` that must succeed: the new task's ID.
    func download(in namespace: String, _ arguments: [String], environment extra: [String: String] = [:]) throws -> String {
        let outcome = try bgxfer(in: namespace, ["download"] + arguments, environment: extra)
        guard outcome.status == 0, let id = outcome.lines.first, outcome.lines.count == 1 else {
            throw HarnessError.failed("download \(arguments) → \(outcome.status): \(outcome.stderr)")
        }
        return id
    }

    /// Waits until the task satisfies `predicate` (read with `show --json` every 50 ms); returns
    /// how long that took, or nil after `timeout` seconds.
    func await(_ id: String, timeout: Double, _ predicate: ([String: Any]) -> Bool) throws -> Double? {
        let start = Date()
        while Date().timeIntervalSince(start) < timeout {
            if predicate(try task(id)) { return Date().timeIntervalSince(start) }
            usleep(50_000)
        }
        return nil
    }

    /// The task object in words, for a failed expectation's message.
    func describe(_ id: String) -> String { (try? task(id)).map { "\($0)" } ?? "no task \(id)" }

    /// The context switches of every thread of process `pid` so far: how often it woke up.
    static func wakeUps(of pid: Int32) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.reduce(0) { total, thread in
            let status = HeldScript.read("/proc/\(pid)/task/\(thread)/status")
            return total + status.split(separator: "\n").reduce(0) { sum, line in
                guard line.hasPrefix("voluntary_ctxt_switches:") || line.hasPrefix("nonvoluntary_ctxt_switches:") else { return sum }
                return sum + (Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0)
            }
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A task object's state and error code: `waiting`, `no-network`.
    var state: String? { self["state"] as? String }
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
}
