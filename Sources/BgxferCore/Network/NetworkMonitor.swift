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

    /// After a poll: takes what arrived on the descriptors that became readable (and what
    /// sd-bus had queued). Returns true when the conditions changed.
    func handle(ready: Set<Int32>) -> Bool {
        var touched = false
        if let netlink, ready.contains(netlink.descriptor) {
            netlink.refresh()
            touched = true
        }
        if let watch = bus, ready.contains(watch.descriptor) || watch.hasQueuedMessages {
            processBus()
            touched = true
        }
        guard touched else { return false }
        var fresh = combine()
        // Asking NetworkManager about an interface is a call, which may queue signals: those are
        // taken too before the worker sleeps again.
        for _ in 0..<8 {
            guard bus?.hasQueuedMessages == true else { break }
            processBus()
            fresh = combine()
        }
        let changed = fresh != conditions
        conditions = fresh
        return changed
    }

    /// Signals sd-bus has already queued: the worker must not sleep before `handle` takes them.
    var hasPendingWork: Bool { bus?.hasQueuedMessages ?? false }

    private func processBus() {
        do {
            _ = try bus?.process()
        } catch {
            // The bus went away (dbus-daemon restarted): the kernel's word is left.
            problems.append("system bus: \(error.message)")
            bus = nil
        }
    }

    /// Takes whatever has arrived without waiting: before deciding about a failure that the
    /// network's going may explain. Returns true when the conditions changed.
    func catchUp() -> Bool {
        var entries = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        let readable = entries.isEmpty ? 0 : poll(&entries, nfds_t(entries.count), 0)
        guard readable > 0 || hasPendingWork else { return false }
        return handle(ready: Set(entries.filter { $0.revents != 0 }.map(\.fd)))
    }

    private func combine() -> NetworkConditions {
        let state = bus?.networkManagerState
        let table = netlink?.table
        // Asked only when the two disagree, which is rare.
        var managesExit: Bool?
        if let state, !state.isOnline, let exit = table?.exit?.link { managesExit = bus?.manages(interface: exit.name) }
        return Self.decide(networkManager: state, managesExit: managesExit, table: table, onBattery: bus?.onBattery)
    }

    /// NetworkManager's word wins over the kernel's when both are there, but for a way out it
    /// does not manage (an interface left to ifupdown, a container's veth, a VPN of another
    /// tool): when it says offline while the kernel routes through such an interface, the
    /// kernel's word holds. `managesExit`: whether NetworkManager manages the interface of the
    /// kernel's default route (nil: not asked, or no answer).
    static func decide(
        networkManager state: NetworkManagerState?, managesExit: Bool?, table: RoutingTable?, onBattery: Bool?
    ) -> NetworkConditions {
        var conditions: NetworkConditions
        if let state, state.isOnline || managesExit != false || table?.isOnline != true {
            conditions = NetworkConditions(
                source: .networkManager, online: state.isOnline, network: state.summary, metered: state.isMetered)
        } else if let table {
            let unmanaged = state.map { " (NetworkManager, \($0.summary), does not manage it)" } ?? ""
            conditions = NetworkConditions(source: .netlink, online: table.isOnline, network: table.summary + unmanaged)
        } else {
            conditions = .unknown
        }
        conditions.onBattery = onBattery
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
