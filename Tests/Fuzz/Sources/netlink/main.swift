import FuzzDriver

@testable import BgxferCore

/// rtnetlink datagrams: any bytes give messages or nothing.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNetlink(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var table = RoutingTable()
    table.apply(Netlink.parse(FuzzDriver.bytes(data, size)))
    _ = table.summary
    _ = table.isOnline
    return 0
}

FuzzDriver.run(fuzzNetlink)
