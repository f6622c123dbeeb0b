import Foundation

/// Watches the network and power for a worker (README, "Network, cost and power"): the
/// kernel's routing table always, NetworkManager and UPower when they answer on the system bus.
/// Its descriptors join the worker's poll set, so a change wakes the worker and nothing else
/// does: no timer polls.
public final class NetworkMonitor {
    private let netlink: NetlinkMonitor?
    private var bus: SystemBusWatch?
    public private(set) var conditions: NetworkConditions
    /// Why a source is missing, for the log: `netlink: …`, `system bus: …`.
    public private(set) var problems: [String] = []

    public init(environment: [String: String]) {
        do {
            netlink = try NetlinkMonitor()
        } catch {
            netlink = nil
            problems.append("netlink: \(error)")
        }
        do {
            bus = try SystemBusWatch.connect(environment: environment)
        } catch {
            bus = nil
            problems.append("system bus: \(error.message)")
        }
        conditions = .unknown
        conditions = combine()
    }

    /// The descriptors to poll for changes.
    var descriptors: [Int32] { [netlink?.descriptor, bus?.descriptor].compactMap { $0 } }

    /// After a poll: takes what arrived on the descriptors that became readable. Returns true
    /// when the conditions changed.
    func handle(ready: Set<Int32>) -> Bool {
        var touched = false
        if let netlink, ready.contains(netlink.descriptor) {
            netlink.refresh()
            touched = true
        }
        if let watch = bus, ready.contains(watch.descriptor) {
            do {
                touched = try watch.process() || touched
            } catch {
                // The bus went away (dbus-daemon restarted): the kernel's word is left.
                problems.append("system bus: \(error.message)")
                bus = nil
                touched = true
            }
        }
        guard touched else { return false }
        let fresh = combine()
        let changed = fresh != conditions
        conditions = fresh
        return changed
    }

    /// Takes whatever has arrived without waiting: before deciding about a failure that the
    /// network's going may explain. Returns true when the conditions changed.
    func catchUp() -> Bool {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        guard !entries.isEmpty, poll(&entries, nfds_t(entries.count), 0) > 0 else { return false }
        return handle(ready: Set(entries.filter { $0.revents != 0 }.map(\.fd)))
    }

    /// NetworkManager's word wins over the kernel's when both are there.
    private func combine() -> NetworkConditions {
        var conditions: NetworkConditions
        if let state = bus?.networkManagerState {
            conditions = NetworkConditions(
                source: .networkManager, online: state.isOnline, network: state.summary, metered: state.isMetered)
        } else if let table = netlink?.table {
            conditions = NetworkConditions(source: .netlink, online: table.isOnline, network: table.summary)
        } else {
            conditions = .unknown
        }
        conditions.onBattery = bus?.onBattery
        return conditions
    }

    /// Where the answers come from, for the log and `doctor`.
    public var sources: String {
        var names: [String] = []
        if netlink != nil { names.append("netlink") }
        if let bus {
            names.append(bus.networkManagerState != nil ? "NetworkManager" : "no NetworkManager")
            names.append(bus.onBattery != nil ? "UPower" : "no UPower")
            names.append("on \(bus.address)")
        } else {
            names.append("no system bus")
        }
        return names.joined(separator: ", ")
    }
}

@available(*, unavailable)
extension NetworkMonitor: Sendable {}
