import CSystemd
import Foundation

/// The caller's systemd user manager (`systemd --user`), reached over its private socket
/// `$XDG_RUNTIME_DIR/systemd/private` as `systemctl --user` does, else over the session bus.
///
/// Without a manager, connecting fails in well under a millisecond (no socket, or nobody
/// listening); a manager that accepts but never answers costs at most `timeout` per call.
final class UserManager {
    static let destination = "org.freedesktop.systemd1"
    static let path = "/org/freedesktop/systemd1"
    static let interface = "org.freedesktop.systemd1.Manager"

    let bus: Bus
    /// The manager's version (`Version` property), read when connecting: that read is what
    /// proves the manager answers.
    let version: String

    init(environment: [String: String], timeout: Duration = .seconds(2)) throws(BusError) {
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else {
            throw BusError(message: "XDG_RUNTIME_DIR is not set, so there is no user manager to find")
        }
        var failures: [String] = []
        for (address, busClient) in Self.candidates(runtime: runtime, environment: environment) {
            do {
                let bus = try Bus(address: address, busClient: busClient, timeout: timeout)
                version = try bus.stringProperty(Self.destination, Self.path, Self.interface, "Version")
                self.bus = bus
                return
            } catch {
                failures.append(error.message)
            }
        }
        throw BusError(message: "no systemd user manager: " + failures.joined(separator: "; "))
    }

    /// Where to look, in order: the private socket, then the session bus.
    static func candidates(runtime: String, environment: [String: String]) -> [(address: String, busClient: Bool)] {
        var list = [("unix:path=\(runtime)/systemd/private", false)]
        if let session = SessionBus.address(environment: environment) { list.append((session, true)) }
        return list
    }

    /// Places `pids` in a new transient scope `name` and waits until systemd has started it
    /// (the processes are then in the scope's cgroup). The scope is collected when it ends.
    func startScope(name: String, description: String, pids: [Int32], deadline: ContinuousClock.Instant)
        throws(BusError)
    {
        let watch = JobWatch()
        var slot: OpaquePointer?
        let r = sd_bus_match_signal(
            bus.handle, &slot, Self.destination, Self.path, Self.interface, "JobRemoved",
            JobWatch.onJobRemoved, Unmanaged.passUnretained(watch).toOpaque())
        guard r >= 0 else { throw BusError("cannot watch systemd's jobs", code: r) }
        defer { sd_bus_slot_unref(slot) }
        // On the session bus the manager only sends JobRemoved to subscribers.
        if bus.isMessageBus {
            try bus.call(Self.destination, Self.path, Self.interface, "Subscribe")
        }
        let reply = try bus.call(Self.destination, Self.path, Self.interface, "StartTransientUnit") {
            message throws(BusError) in
            try message.append(name)
            try message.append("fail")
            try message.container(BusType.array, "(sv)") { () throws(BusError) in
                try message.property("Description", "s") { () throws(BusError) in try message.append(description) }
                try message.property("CollectMode", "s") { () throws(BusError) in
                    try message.append("inactive-or-failed")
                }
                try message.property("PIDs", "au") { () throws(BusError) in
                    try message.container(BusType.array, "u") { () throws(BusError) in
                        for pid in pids { try message.append(UInt32(pid)) }
                    }
                }
            }
            try message.container(BusType.array, "(sa(sv))") {}
        }
        let job = try reply.readString(BusType.objectPath)
        guard try bus.process(until: deadline, { watch.results[job] != nil }) else {
            throw BusError(message: "systemd did not start \(name) in time")
        }
        if let result = watch.results[job], result != "done" {
            throw BusError(message: "systemd could not start \(name): job \(result)")
        }
    }
}

/// Collects the results of finished systemd jobs (the JobRemoved signal), by job path.
private final class JobWatch {
    var results: [String: String] = [:]

    static let onJobRemoved: sd_bus_message_handler_t = { message, userdata, _ in
        guard let message, let userdata else { return 0 }
        let watch = Unmanaged<JobWatch>.fromOpaque(userdata).takeUnretainedValue()
        let signal = BusMessage(borrowing: message)
        // JobRemoved(u id, o job, s unit, s result)
        guard (try? signal.readUInt32()) != nil, let job = try? signal.readString(BusType.objectPath),
            (try? signal.readString()) != nil, let result = try? signal.readString()
        else { return 0 }
        watch.results[job] = result
        return 0
    }
}

extension BusMessage {
    /// Wraps a message sd-bus lends to a callback: takes a reference, so the wrapper's release
    /// balances it.
    convenience init(borrowing handle: OpaquePointer) {
        sd_bus_message_ref(handle)
        self.init(adopting: handle)
    }
}

/// Whether the caller's systemd user manager answers: what `timer` and scheduled starts need
/// (they work through `systemctl --user` and `systemd-run --user`).
public enum UserManagerProbe {
    /// Why no user manager answers; nil when one does.
    public static func problem(environment: [String: String]) -> String? {
        do {
            _ = try UserManager(environment: environment)
            return nil
        } catch {
            return error.message
        }
    }
}
