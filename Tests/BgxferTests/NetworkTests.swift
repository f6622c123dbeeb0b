import Foundation
import Testing

@testable import BgxferCore

/// rtnetlink messages as the kernel sends them, built by hand (host byte order).
enum NetlinkBytes {
    static func u16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }
    static func u32(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value) { Array($0) } }

    static func attribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        let bytes = u16(UInt16(4 + value.count)) + u16(type) + value
        return bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    static func message(_ type: UInt16, _ body: [UInt8]) -> [UInt8] {
        let bytes = u32(UInt32(16 + body.count)) + u16(type) + u16(0) + u32(1) + u32(0) + body
        return bytes + [UInt8](repeating: 0, count: (4 - bytes.count % 4) % 4)
    }

    static func link(index: Int32, name: String, flags: UInt32) -> [UInt8] {
        let header: [UInt8] = [0, 0] + u16(1) + u32(UInt32(bitPattern: index)) + u32(flags) + u32(0)
        return message(Netlink.rtmNewLink, header + attribute(Netlink.iflaIfname, Array(name.utf8) + [0]))
    }

    static func route(
        family: UInt8 = 2, destinationLength: UInt8 = 0, table: UInt8 = 254, type: UInt8 = 1, oif: Int32? = nil,
        hops: [Int32] = []
    ) -> [UInt8] {
        var body: [UInt8] = [family, destinationLength, 0, 0, table, 3, 0, type] + u32(0)
        if let oif { body += attribute(Netlink.rtaOIF, u32(UInt32(bitPattern: oif))) }
        if !hops.isEmpty {
            let nexthops = hops.flatMap { u16(8) + [0, 0] + u32(UInt32(bitPattern: $0)) }
            body += attribute(Netlink.rtaMultipath, nexthops)
        }
        return message(Netlink.rtmNewRoute, body)
    }

    static let done = message(Netlink.nlmsgDone, u32(0))
    static let upWithCarrier = Netlink.iffUp | Netlink.iffLowerUp | 0x40
}

@Suite struct RoutingTableTests {
    typealias B = NetlinkBytes

    static func table(_ datagrams: [[UInt8]]) -> RoutingTable {
        var table = RoutingTable()
        for datagram in datagrams { table.apply(Netlink.parse(datagram)) }
        return table
    }

    @Test func aDefaultRouteThroughAnInterfaceThatIsUpWithCarrierIsAWayOut() {
        let table = Self.table([
            B.link(index: 1, name: "lo", flags: B.upWithCarrier | Netlink.iffLoopback)
                + B.link(index: 2, name: "eth0", flags: B.upWithCarrier) + B.done,
            B.route(destinationLength: 24, oif: 2) + B.route(oif: 2) + B.done,
        ])
        #expect(table.links.count == 2 && table.routes.count == 2)
        #expect(table.isOnline)
        #expect(table.summary == "default route (IPv4) via eth0")
    }

    @Test func withoutCarrierTheRouteLeadsNowhere() {
        let table = Self.table([B.link(index: 2, name: "eth0", flags: Netlink.iffUp), B.route(oif: 2)])
        #expect(!table.isOnline)
        #expect(table.summary == "the default route through eth0 has no interface that is up with carrier")
    }

    @Test func noDefaultRouteIsOffline() {
        let table = Self.table([B.link(index: 2, name: "eth0", flags: B.upWithCarrier), B.route(destinationLength: 24, oif: 2)])
        #expect(!table.isOnline)
        #expect(table.summary == "no default route")
    }

    @Test func localUnreachableAndLoopbackRoutesDoNotCount() {
        let links = B.link(index: 1, name: "lo", flags: B.upWithCarrier | Netlink.iffLoopback)
            + B.link(index: 2, name: "eth0", flags: B.upWithCarrier)
        #expect(!Self.table([links, B.route(table: 255, oif: 2)]).isOnline)
        #expect(!Self.table([links, B.route(type: 7, oif: 2)]).isOnline)  // RTN_UNREACHABLE
        #expect(!Self.table([links, B.route(family: 10, oif: 1)]).isOnline)
    }

    @Test func anIPv6DefaultRouteOrAMultipathHopIsEnough() {
        let links = B.link(index: 2, name: "wlan0", flags: Netlink.iffUp) + B.link(index: 3, name: "eth1", flags: B.upWithCarrier)
        let v6 = Self.table([links, B.route(family: 10, oif: 3)])
        #expect(v6.isOnline && v6.summary == "default route (IPv6) via eth1")
        #expect(Self.table([links, B.route(hops: [2, 3])]).summary == "default route (IPv4) via eth1")
        #expect(!Self.table([links, B.route(hops: [2])]).isOnline)
    }

    @Test func aRouteWithATableAttributeUsesIt() {
        var body: [UInt8] = [2, 0, 0, 0, 252, 3, 0, 1] + B.u32(0)
        body += B.attribute(Netlink.rtaTable, B.u32(255)) + B.attribute(Netlink.rtaOIF, B.u32(2))
        let table = Self.table([B.link(index: 2, name: "eth0", flags: B.upWithCarrier), B.message(Netlink.rtmNewRoute, body)])
        #expect(table.routes.first?.table == 255 && !table.isOnline)
    }

    @Test func errorsAndTheEndOfADumpAreRecognised() {
        let error = B.message(Netlink.nlmsgError, B.u32(UInt32(bitPattern: -EPERM)) + [UInt8](repeating: 0, count: 16))
        #expect(Netlink.parse(error + B.done) == [.error(EPERM), .done])
    }

    /// Found by the netlink fuzz target (Tests/Fuzz): negating INT32_MIN trapped.
    @Test func anErrorOfAnyThirtyTwoBitsParses() {
        for code: UInt32 in [0x8000_0000, 0x7fff_ffff, 0xffff_ffff, 0] {
            let error = B.message(Netlink.nlmsgError, B.u32(code) + [UInt8](repeating: 0, count: 16))
            #expect(Netlink.parse(error) == [.error(Int32(bitPattern: 0 &- code))])
        }
    }

    @Test func anyBytesParseWithoutCrashing() {
        var generator = SystemRandomNumberGenerator()
        let valid = B.link(index: 2, name: "eth0", flags: B.upWithCarrier) + B.route(oif: 2, hops: [2, 3]) + B.done
        for _ in 0..<5000 {
            var bytes = valid
            // Cut, flip and stretch: lengths that lie, attributes that overrun, nothing at all.
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &generator)))
            for _ in 0..<Int.random(in: 0...6, using: &generator) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            var table = RoutingTable()
            table.apply(Netlink.parse(bytes))
            _ = table.summary
        }
        for size in [0, 3, 15, 16, 17, 100] {
            _ = Netlink.parse((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
    }
}

@Suite struct NetworkSourcesTests {
    typealias B = NetlinkBytes
    static let online = RoutingTableTests.table([B.link(index: 2, name: "eth0", flags: B.upWithCarrier), B.route(oif: 2)])
    static let offline = RoutingTableTests.table([B.link(index: 2, name: "eth0", flags: Netlink.iffUp), B.route(oif: 2)])
    static let connected = NetworkManagerState(state: 70, connectivity: 4, metered: 1)
    static let disconnected = NetworkManagerState(state: 20, connectivity: 1, metered: 0)

    @Test func networkManagersWordWinsOverTheKernels() {
        let both = NetworkMonitor.decide(networkManager: Self.connected, managesExit: nil, table: Self.offline, onBattery: false)
        #expect(both.source == .networkManager && both.online && both.metered && both.onBattery == false)
        let down = NetworkMonitor.decide(networkManager: Self.disconnected, managesExit: true, table: Self.online, onBattery: nil)
        #expect(down.source == .networkManager && !down.online)
        // No answer about the interface: still NetworkManager's word.
        #expect(!NetworkMonitor.decide(networkManager: Self.disconnected, managesExit: nil, table: Self.online, onBattery: nil).online)
    }

    @Test func aWayOutNetworkManagerDoesNotManageIsTheKernelsToJudge() {
        let conditions = NetworkMonitor.decide(networkManager: Self.disconnected, managesExit: false, table: Self.online, onBattery: true)
        #expect(conditions.source == .netlink && conditions.online && !conditions.metered && conditions.onBattery == true)
        #expect(conditions.network == "default route (IPv4) via eth0 (NetworkManager, disconnected, no connectivity, does not manage it)")
    }

    @Test func withoutNetworkManagerTheKernelAndWithoutEitherNothingIsKnown() {
        let kernel = NetworkMonitor.decide(networkManager: nil, managesExit: nil, table: Self.offline, onBattery: nil)
        #expect(kernel.source == .netlink && !kernel.online && kernel.network.contains("no interface that is up with carrier"))
        let nothing = NetworkMonitor.decide(networkManager: nil, managesExit: nil, table: nil, onBattery: nil)
        #expect(nothing == .unknown && nothing.holdsNothing)
    }
}

@Suite struct NetworkConditionsTests {
    static let offline = NetworkConditions(source: .netlink, online: false, network: "no default route")

    @Test func offlineHoldsEveryTaskButThoseOfThisMachine() {
        let held = Self.offline.hold(url: "https://example.com/a", metered: .allow, battery: .allow)
        #expect(held == TaskError(code: .noNetwork, message: "no network (netlink: no default route)"))
        for url in ["http://127.0.0.1:8080/a", "http://localhost/a", "http://a.localhost/x", "http://[::1]:80/a", "ftp://127.9.8.7/a"] {
            #expect(Self.offline.hold(url: url, metered: .wait, battery: .allow) == nil, "\(url)")
        }
    }

    @Test func aMeteredNetworkHoldsOnlyTasksThatAskToWait() {
        let metered = NetworkConditions(source: .networkManager, online: true, network: "connected", metered: true)
        #expect(metered.hold(url: "https://example.com/a", metered: .allow, battery: .wait) == nil)
        #expect(metered.hold(url: "https://example.com/a", metered: .wait, battery: .allow)?.code == .metered)
        #expect(metered.hold(url: "http://127.0.0.1/a", metered: .wait, battery: .allow) == nil)
        #expect(!metered.holdsNothing)
    }

    @Test func batteryHoldsTasksThatAskToWaitEvenOnLoopback() {
        var battery = NetworkConditions(source: .netlink, online: true, network: "default route", onBattery: true)
        #expect(battery.hold(url: "http://127.0.0.1/a", metered: .allow, battery: .wait)?.code == .onBattery)
        #expect(battery.hold(url: "http://127.0.0.1/a", metered: .allow, battery: .allow) == nil)
        battery.onBattery = nil  // no UPower: nothing known, nothing held
        #expect(battery.hold(url: "http://127.0.0.1/a", metered: .allow, battery: .wait) == nil)
        #expect(battery.holdsNothing)
    }

    @Test func theNetworkComesFirst() {
        let all = NetworkConditions(source: .networkManager, online: false, network: "disconnected", metered: true, onBattery: true)
        #expect(all.hold(url: "https://example.com/", metered: .wait, battery: .wait)?.code == .noNetwork)
        #expect(all.summary == "offline (NetworkManager: disconnected), metered, on battery")
    }

    @Test(arguments: [
        ("http://127.0.0.1/", true), ("http://127.255.0.1/", true), ("http://localhost:80/", true),
        ("http://LOCALHOST./", true), ("http://[::1]/", true), ("http://[::ffff:127.0.0.1]/", true),
        ("http://128.0.0.1/", false), ("http://[::2]/", false), ("http://localhost.example.com/", false),
        ("http://10.0.0.1/", false), ("not a url", false), ("http://user:pw@127.0.0.1/", true),
    ])
    func loopbackHosts(url: String, loopback: Bool) {
        #expect(LoopbackHost.contains(url) == loopback)
    }

    @Test func networkManagersWord() {
        #expect(NetworkManagerState(state: 70, connectivity: 4, metered: 4).isOnline)
        #expect(NetworkManagerState(state: 70, connectivity: 0, metered: 0).isOnline)  // checks disabled
        #expect(!NetworkManagerState(state: 60, connectivity: 1, metered: 4).isOnline)  // peer link down
        #expect(!NetworkManagerState(state: 20, connectivity: 1, metered: 4).isOnline)
        #expect(!NetworkManagerState(state: 70, connectivity: 2, metered: 4).isOnline)  // captive portal
        #expect(NetworkManagerState(state: 70, connectivity: 3, metered: 4).isOnline)
        #expect(NetworkManagerState(state: 70, connectivity: 4, metered: 1).isMetered)
        #expect(NetworkManagerState(state: 70, connectivity: 4, metered: 3).isMetered)
        #expect(!NetworkManagerState(state: 70, connectivity: 4, metered: 4).isMetered)
        #expect(NetworkManagerState(state: 20, connectivity: 1, metered: 0).summary == "disconnected, no connectivity")
    }
}
