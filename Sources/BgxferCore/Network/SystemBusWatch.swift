import Foundation

/// NetworkManager's word on the network, from its D-Bus properties (`State`, `Connectivity`,
/// `Metered`: the NMState, NMConnectivityState and NMMetered enums of its D-Bus API).
struct NetworkManagerState: Equatable, Sendable {
    var state: UInt32
    var connectivity: UInt32
    var metered: UInt32

    /// Connected (locally, to a site or globally), unless the connectivity check found no
    /// connectivity at all or a captive portal.
    var isOnline: Bool { state >= 50 && connectivity != 1 && connectivity != 2 }

    /// NM_METERED_YES or NM_METERED_GUESS_YES.
    var isMetered: Bool { metered == 1 || metered == 3 }

    var summary: String {
        let states: [UInt32: String] = [
            10: "asleep", 20: "disconnected", 30: "disconnecting", 40: "connecting", 50: "connected (local only)",
            60: "connected (site only)", 70: "connected",
        ]
        var words = states[state] ?? "state \(state)"
        switch connectivity {
        case 1: words += ", no connectivity"
        case 2: words += ", behind a captive portal (log in with a browser)"
        case 3: words += ", limited connectivity"
        default: break
        }
        return words
    }
}

/// NetworkManager and UPower on the system bus: their properties, read again whenever one of
/// them announces a change (PropertiesChanged, StateChanged) or comes or goes on the bus
/// (NameOwnerChanged). Either may be absent; then it says nothing.
final class SystemBusWatch {
    static let networkManager = "org.freedesktop.NetworkManager"
    static let networkManagerPath = "/org/freedesktop/NetworkManager"
    static let upower = "org.freedesktop.UPower"
    static let upowerPath = "/org/freedesktop/UPower"

    private let bus: Bus
    private let flag = BusSignalFlag()
    private(set) var networkManagerState: NetworkManagerState?
    private(set) var onBattery: Bool?

    /// Connects to the system bus (`DBUS_SYSTEM_BUS_ADDRESS`, else its standard socket); nil
    /// when there is none. Every call is bounded (`timeout`): a daemon that never answers
    /// costs that, not sd-bus's 25 s.
    static func connect(environment: [String: String], timeout: Duration = .seconds(1)) throws(BusError) -> SystemBusWatch? {
        let address = environment["DBUS_SYSTEM_BUS_ADDRESS"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "unix:path=/run/dbus/system_bus_socket"
        if address.hasPrefix("unix:path="), !FileSystem.exists(String(address.dropFirst("unix:path=".count))) {
            return nil
        }
        return try SystemBusWatch(bus: Bus(address: address, busClient: true, timeout: timeout))
    }

    private init(bus: Bus) throws(BusError) {
        self.bus = bus
        let properties = "type='signal',interface='org.freedesktop.DBus.Properties',member='PropertiesChanged'"
        for (name, path) in [(Self.networkManager, Self.networkManagerPath), (Self.upower, Self.upowerPath)] {
            try bus.addMatch(
                "type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(name)'", raising: flag)
            try bus.addMatch("\(properties),path='\(path)'", raising: flag)
        }
        try bus.addMatch(
            "type='signal',interface='\(Self.networkManager)',member='StateChanged',path='\(Self.networkManagerPath)'",
            raising: flag)
        readProperties()
        _ = try process()  // what arrived while the matches were added and the properties read
    }

    var descriptor: Int32 { bus.descriptor }
    var address: String { bus.address }

    /// After `descriptor` became readable (or with `hasQueuedMessages`): dispatches what
    /// arrived, and while changes were announced reads the properties again (the calls that
    /// read them may queue more). Returns true when they changed. Throws when the connection
    /// is lost.
    func process() throws(BusError) -> Bool {
        let before = (networkManagerState, onBattery)
        while true {
            try bus.processPending()
            guard flag.raised else { break }
            flag.raised = false
            readProperties()
        }
        return before != (networkManagerState, onBattery)
    }

    /// Signals wait in sd-bus's queue (read while a call waited for its reply): `process`
    /// must run although the socket is not readable.
    var hasQueuedMessages: Bool { bus.hasQueuedMessages }

    private func readProperties() {
        networkManagerState = try? readNetworkManager()
        onBattery = try? readUPower()
    }

    private func readNetworkManager() throws(BusError) -> NetworkManagerState? {
        guard try bus.nameHasOwner(Self.networkManager) else { return nil }
        let read = { (member: String) throws(BusError) in
            try self.bus.uint32Property(Self.networkManager, Self.networkManagerPath, Self.networkManager, member)
        }
        return NetworkManagerState(state: try read("State"), connectivity: try read("Connectivity"), metered: try read("Metered"))
    }

    /// Whether NetworkManager manages the interface called `name` (its device's `Managed`);
    /// false when it has no device of that name, nil when it cannot be asked.
    func manages(interface name: String) -> Bool? {
        guard networkManagerState != nil else { return nil }
        do {
            let reply = try bus.call(Self.networkManager, Self.networkManagerPath, Self.networkManager, "GetDeviceByIpIface") {
                message throws(BusError) in try message.append(name)
            }
            let device = try reply.readString(BusType.objectPath)
            return try bus.boolProperty(Self.networkManager, device, Self.networkManager + ".Device", "Managed")
        } catch {
            return error.name == "org.freedesktop.NetworkManager.UnknownDevice" ? false : nil
        }
    }

    private func readUPower() throws(BusError) -> Bool? {
        guard try bus.nameHasOwner(Self.upower) else { return nil }
        return try bus.boolProperty(Self.upower, Self.upowerPath, Self.upower, "OnBattery")
    }
}

@available(*, unavailable)
extension SystemBusWatch: Sendable {}
