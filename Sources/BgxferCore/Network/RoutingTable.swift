/// The kernel's links and routes, as rtnetlink dumps describe them, and the one question bgxfer
/// asks of them: is there a way out? GLib's `GNetworkMonitor` netlink rule (README, "Network,
/// cost and power"): a default route, IPv4 or IPv6, through an interface that is up and has
/// carrier.
///
/// Parsing is pure and total: any bytes give messages or nothing, never a crash
/// (Tests/BgxferTests/NetworkTests.swift). Layouts from <linux/netlink.h>, <linux/rtnetlink.h>
/// and <linux/if_link.h>, in host byte order.
struct RoutingTable: Equatable, Sendable {
    struct Link: Equatable, Sendable {
        var index: Int32
        var name: String
        var flags: UInt32

        var isUp: Bool { flags & Netlink.iffUp != 0 }
        var hasCarrier: Bool { flags & Netlink.iffLowerUp != 0 }
        var isLoopback: Bool { flags & Netlink.iffLoopback != 0 }
        /// Traffic can leave through it.
        var isUsable: Bool { isUp && hasCarrier && !isLoopback }
    }

    struct Route: Equatable, Sendable {
        var family: UInt8
        var destinationLength: UInt8
        var table: UInt32
        var type: UInt8
        /// The output interfaces (RTA_OIF, or each hop of RTA_MULTIPATH); empty when the route
        /// names none (a nexthop object).
        var interfaces: [Int32]

        var isDefault: Bool {
            destinationLength == 0 && type == Netlink.rtnUnicast && table != Netlink.rtTableLocal
        }
    }

    var links: [Int32: Link] = [:]
    var routes: [Route] = []

    /// Adds what a dump's messages describe.
    mutating func apply(_ messages: [Netlink.Message]) {
        for message in messages {
            switch message {
            case .link(let link): links[link.index] = link
            case .route(let route): routes.append(route)
            case .done, .error, .other: break
            }
        }
    }

    /// The default route traffic can leave by, and the interface it leaves through.
    var exit: (route: Route, link: Link?)? {
        for route in routes where route.isDefault {
            if route.interfaces.isEmpty {
                // No interface named (a nexthop object): usable when any interface is.
                if links.values.contains(where: \.isUsable) { return (route, nil) }
                continue
            }
            if let link = route.interfaces.lazy.compactMap({ self.links[$0] }).first(where: \.isUsable) {
                return (route, link)
            }
        }
        return nil
    }

    var isOnline: Bool { exit != nil }

    /// What the table says, in words: for the log and `doctor`.
    var summary: String {
        guard let exit else {
            let defaults = routes.filter(\.isDefault)
            if defaults.isEmpty { return "no default route" }
            let names = Set(defaults.flatMap(\.interfaces).compactMap { links[$0]?.name }).sorted()
            let through = names.isEmpty ? "" : " through \(names.joined(separator: ", "))"
            return "the default route\(through) has no interface that is up with carrier"
        }
        let family = exit.route.family == Netlink.afInet6 ? "IPv6" : "IPv4"
        return "default route (\(family))" + (exit.link.map { " via \($0.name)" } ?? "")
    }
}

/// rtnetlink messages: what bgxfer reads of them.
enum Netlink {
    enum Message: Equatable, Sendable {
        case link(RoutingTable.Link)
        case route(RoutingTable.Route)
        /// The end of a dump.
        case done
        /// NLMSG_ERROR with this errno (0: an acknowledgement).
        case error(Int32)
        case other
    }

    // <linux/netlink.h>
    static let nlmsgError: UInt16 = 2
    static let nlmsgDone: UInt16 = 3
    // <linux/rtnetlink.h>
    static let rtmNewLink: UInt16 = 16
    static let rtmGetLink: UInt16 = 18
    static let rtmNewRoute: UInt16 = 24
    static let rtmGetRoute: UInt16 = 26
    static let rtmgrpLink: UInt32 = 0x1
    static let rtmgrpIPv4Route: UInt32 = 0x40
    static let rtmgrpIPv6Route: UInt32 = 0x400
    static let rtnUnicast: UInt8 = 1
    static let rtTableLocal: UInt32 = 255
    static let rtaOIF: UInt16 = 4
    static let rtaMultipath: UInt16 = 9
    static let rtaTable: UInt16 = 15
    // <linux/if_link.h>
    static let iflaIfname: UInt16 = 3
    // <net/if.h>
    static let iffUp: UInt32 = 0x1
    static let iffLoopback: UInt32 = 0x8
    static let iffLowerUp: UInt32 = 0x10000
    static let afInet6: UInt8 = 10

    /// The messages in one datagram, as far as they are well formed.
    static func parse(_ bytes: [UInt8]) -> [Message] {
        var messages: [Message] = []
        var offset = 0
        // struct nlmsghdr: u32 length, u16 type, u16 flags, u32 seq, u32 pid.
        while offset + 16 <= bytes.count {
            let length = Int(bytes.uint32(at: offset))
            guard length >= 16, offset + length <= bytes.count else { break }
            let type = bytes.uint16(at: offset + 4)
            let body = Array(bytes[(offset + 16)..<(offset + length)])
            messages.append(message(type: type, body: body))
            offset += align(length)
        }
        return messages
    }

    private static func message(type: UInt16, body: [UInt8]) -> Message {
        switch type {
        case nlmsgDone: return .done
        case nlmsgError:
            guard body.count >= 4 else { return .error(0) }
            // nlmsgerr.error is a negated errno; any 32 bits may come (INT32_MIN has no negation).
            return .error(Int32(bitPattern: 0 &- body.uint32(at: 0)))
        case rtmNewLink: return link(body).map(Message.link) ?? .other
        case rtmNewRoute: return route(body).map(Message.route) ?? .other
        default: return .other
        }
    }

    /// struct ifinfomsg: u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change; then
    /// attributes.
    private static func link(_ body: [UInt8]) -> RoutingTable.Link? {
        guard body.count >= 16 else { return nil }
        var name = ""
        for (type, value) in attributes(body, from: 16) where type == iflaIfname {
            name = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
        }
        return RoutingTable.Link(index: Int32(bitPattern: body.uint32(at: 4)), name: name, flags: body.uint32(at: 8))
    }

    /// struct rtmsg: u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags;
    /// then attributes.
    private static func route(_ body: [UInt8]) -> RoutingTable.Route? {
        guard body.count >= 12 else { return nil }
        var route = RoutingTable.Route(
            family: body[0], destinationLength: body[1], table: UInt32(body[4]), type: body[7], interfaces: [])
        for (type, value) in attributes(body, from: 12) {
            switch type {
            case rtaTable where value.count >= 4: route.table = value.uint32(at: 0)
            case rtaOIF where value.count >= 4: route.interfaces.append(Int32(bitPattern: value.uint32(at: 0)))
            case rtaMultipath:
                // struct rtnexthop: u16 length, u8 flags, u8 hops, i32 ifindex; then attributes.
                var hop = 0
                while hop + 8 <= value.count {
                    let length = Int(value.uint16(at: hop))
                    guard length >= 8, hop + length <= value.count else { break }
                    route.interfaces.append(Int32(bitPattern: value.uint32(at: hop + 4)))
                    hop += align(length)
                }
            default: break
            }
        }
        return route
    }

    /// struct rtattr: u16 length, u16 type; then the value, padded to 4 bytes.
    private static func attributes(_ bytes: [UInt8], from start: Int) -> [(UInt16, [UInt8])] {
        var found: [(UInt16, [UInt8])] = []
        var offset = start
        while offset + 4 <= bytes.count {
            let length = Int(bytes.uint16(at: offset))
            guard length >= 4, offset + length <= bytes.count else { break }
            found.append((bytes.uint16(at: offset + 2) & 0x3FFF, Array(bytes[(offset + 4)..<(offset + length)])))
            offset += align(length)
        }
        return found
    }

    private static func align(_ length: Int) -> Int { (length + 3) & ~3 }
}

extension [UInt8] {
    /// Host byte order, as netlink speaks it; the caller has checked the bounds.
    fileprivate func uint16(at offset: Int) -> UInt16 {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) }
    }

    fileprivate func uint32(at offset: Int) -> UInt32 {
        withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    }
}
