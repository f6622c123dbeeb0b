import Foundation

/// Whether the user's manager outlives their last login (`loginctl enable-linger`): without
/// it, logging out stops the user manager and with it every worker in a bgxfer scope.
public struct Lingering: Sendable, Equatable {
    public enum State: String, Sendable { case on, off, unknown }

    public let state: State
    /// Where the answer came from, or why there is none.
    public let source: String

    static let lingerDirectory = "/var/lib/systemd/linger"

    /// Asks logind over the system bus; when logind cannot be asked, reads the file logind
    /// itself reads at start (`/var/lib/systemd/linger/USER`, which `enable-linger` creates).
    public static func check(user: String, uid: uid_t, environment: [String: String]) -> Lingering {
        let address = environment["DBUS_SYSTEM_BUS_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "unix:path=/run/dbus/system_bus_socket"
        let why: String
        do {
            let bus = try Bus(address: address, busClient: true, timeout: .seconds(2))
            return Lingering(state: try logindLinger(bus: bus, uid: uid) ? .on : .off, source: "logind")
        } catch {
            why = error.message
        }
        guard !user.isEmpty else { return Lingering(state: .unknown, source: "logind unreachable (\(why))") }
        let on = FileSystem.exists(lingerDirectory + "/" + user)
        return Lingering(
            state: on ? .on : .off, source: "\(lingerDirectory)/\(user); logind is unreachable: \(why)")
    }

    private static func logindLinger(bus: Bus, uid: uid_t) throws(BusError) -> Bool {
        let reply: BusMessage
        do {
            reply = try bus.call(
                "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "GetUser"
            ) { message throws(BusError) in try message.append(UInt32(uid)) }
        } catch where error.name == "org.freedesktop.login1.NoSuchUser" {
            return false  // logind tracks every lingering user: one it does not know is not lingering
        }
        let path = try reply.readString(BusType.objectPath)
        return try bus.boolProperty("org.freedesktop.login1", path, "org.freedesktop.login1.User", "Linger")
    }
}
