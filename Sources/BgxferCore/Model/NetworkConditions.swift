import Foundation

/// What the machine's network and power look like to the worker, and which tasks that holds
/// back (README, "Network, cost and power"): a value, decided from by `hold(url:metered:battery:)`.
public struct NetworkConditions: Equatable, Sendable {
    public enum Source: String, Sendable {
        case networkManager = "NetworkManager"
        case netlink
        /// Neither answers: bgxfer assumes it is online and lets failures speak.
        case none
    }

    /// Who said whether the machine is online: NetworkManager when it answers on the system
    /// bus, else the kernel's routing table.
    public var source: Source
    public var online: Bool
    /// What the source says, in words: `default route (IPv4) via eth0`, `disconnected`.
    public var network: String
    /// NetworkManager says the connection is metered (yes or guess-yes).
    public var metered: Bool
    /// UPower's `OnBattery`; nil when UPower does not answer.
    public var onBattery: Bool?

    public init(source: Source, online: Bool, network: String, metered: Bool = false, onBattery: Bool? = nil) {
        self.source = source
        self.online = online
        self.network = network
        self.metered = metered
        self.onBattery = onBattery
    }

    /// Nothing known: nothing is held.
    public static let unknown = NetworkConditions(source: .none, online: true, network: "no network source answers")

    /// Nothing holds any task back, whatever its policy.
    public var holdsNothing: Bool { online && !metered && onBattery != true }

    /// Why a task with this URL and these policies must wait now; nil when it may run. A URL
    /// whose host is a loopback address or `localhost` never waits for the network (nor for
    /// an unmetered one: it does not use it); power is the machine's, so `--battery wait`
    /// holds it too.
    public func hold(url: String, metered meteredPolicy: ConditionPolicy, battery batteryPolicy: ConditionPolicy)
        -> TaskError?
    {
        let local = LoopbackHost.contains(url)
        if !online && !local {
            return TaskError(code: .noNetwork, message: "no network (\(source.rawValue): \(network))")
        }
        if metered && meteredPolicy == .wait && !local {
            return TaskError(code: .metered, message: "the network is metered (\(source.rawValue)) and the task has --metered wait")
        }
        if onBattery == true && batteryPolicy == .wait {
            return TaskError(code: .onBattery, message: "the machine runs on battery (UPower) and the task has --battery wait")
        }
        return nil
    }

    public func hold(_ task: TransferTask) -> TaskError? {
        hold(url: task.url, metered: task.metered, battery: task.battery)
    }

    /// One line for the log and `doctor`: `online (NetworkManager: connected), metered, on battery`.
    public var summary: String {
        var parts = ["\(online ? "online" : "offline") (\(source == .none ? network : "\(source.rawValue): \(network)"))"]
        if metered { parts.append("metered") }
        if let onBattery { parts.append(onBattery ? "on battery" : "on mains power") }
        return parts.joined(separator: ", ")
    }
}

/// Hosts that are this machine: `localhost` and its subdomains (RFC 6761), 127.0.0.0/8, ::1
/// and IPv4-mapped loopback.
public enum LoopbackHost {
    public static func contains(_ url: String) -> Bool {
        guard var host = URLComponents(string: url)?.host?.lowercased(), !host.isEmpty else { return false }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.hasSuffix(".") { host.removeLast() }
        if host == "localhost" || host.hasSuffix(".localhost") { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, host, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) && bytes[15] == 1 { return true }  // ::1
        let mapped = bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF
        return mapped && bytes[12] == 127
    }
}
