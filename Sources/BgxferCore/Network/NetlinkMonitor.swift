import CBgxferSupport
import Foundation

/// The kernel's word on the network: a socket that becomes readable when a link or route
/// changes, and the routing table read afresh after each change (a dump, not the events
/// themselves: the kernel does not announce every IPv4 route it drops with a link).
final class NetlinkMonitor {
    /// Readable when links or routes changed.
    let descriptor: Int32
    private(set) var table: RoutingTable
    private var sequence: UInt32 = 0

    init() throws {
        let fd = bgx_netlink_open(Netlink.rtmgrpLink | Netlink.rtmgrpIPv4Route | Netlink.rtmgrpIPv6Route)
        if fd < 0 { throw BgxferError.system("cannot open a netlink socket") }
        descriptor = fd
        table = RoutingTable()
        do {
            table = try read()
        } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(descriptor) }

    /// After `descriptor` became readable: forgets the events and reads the table again.
    /// Returns true when what it says (online or not, and through what) changed.
    @discardableResult
    func refresh() -> Bool {
        bgx_drain(descriptor)
        let before = table.summary
        if let fresh = try? read() { table = fresh }
        return table.summary != before
    }

    /// Dumps links, then routes, on a socket of its own, each within a second.
    private func read() throws -> RoutingTable {
        let fd = bgx_netlink_open(0)
        if fd < 0 { throw BgxferError.system("cannot open a netlink socket") }
        defer { close(fd) }
        var table = RoutingTable()
        for type in [Netlink.rtmGetLink, Netlink.rtmGetRoute] {
            sequence &+= 1
            if bgx_netlink_request_dump(fd, type, sequence) != 0 { throw BgxferError.system("cannot ask the kernel for its routes") }
            table.apply(try Self.readDump(fd))
        }
        return table
    }

    private static func readDump(_ fd: Int32) throws -> [Netlink.Message] {
        var messages: [Netlink.Message] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = Monotonic.seconds() + 1
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                guard errno == EAGAIN || errno == EINTR else { throw BgxferError.system("cannot read the kernel's routes") }
                let left = deadline - Monotonic.seconds()
                if left <= 0 { throw BgxferError("the kernel did not finish its route dump within a second") }
                var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&entry, 1, Int32(left * 1000) + 1)
                continue
            }
            let batch = Netlink.parse(Array(buffer[..<count]))
            messages += batch
            if batch.contains(.done) { return messages }
            if let failure = batch.lazy.compactMap({ if case .error(let code) = $0, code != 0 { code } else { nil } }).first {
                throw BgxferError.system("the kernel refused its route dump", errno: failure)
            }
            if count == 0 { return messages }
        }
    }
}

@available(*, unavailable)
extension NetlinkMonitor: Sendable {}
