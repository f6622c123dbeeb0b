import CSystemd
import Foundation

/// A D-Bus failure: what was attempted and why it did not work, in one line.
public struct BusError: Error, CustomStringConvertible, Sendable {
    public let message: String
    /// The D-Bus error name the peer replied with, if it replied with one.
    public var name: String?
    public var description: String { message }

    init(message: String) { self.message = message }

    init(_ what: String, code: Int32) {
        message = "\(what): \(String(cString: strerror(-code)))"
    }

    init(_ what: String, error: inout sd_bus_error, code: Int32) {
        defer { sd_bus_error_free(&error) }
        name = error.name.map { String(cString: $0) }
        if let text = error.message {
            message = "\(what): \(String(cString: text))"
        } else if let name = error.name {
            message = "\(what): \(String(cString: name))"
        } else {
            message = "\(what): \(String(cString: strerror(-code)))"
        }
    }
}

/// One D-Bus connection through sd-bus, closed when released.
///
/// Every call has a deadline (`timeout`), so a bus whose peer never answers costs seconds, not
/// sd-bus's default 25 s. Connecting to a socket nobody listens on fails at once.
final class Bus {
    let handle: OpaquePointer
    let address: String
    /// A message bus (dbus-daemon), not a direct connection to one peer.
    let isMessageBus: Bool

    /// Connects to `address` (`unix:path=…`). `busClient` is true for a message bus
    /// (dbus-daemon: sends Hello), false for a direct connection such as the user manager's
    /// private socket.
    init(address: String, busClient: Bool, timeout: Duration) throws(BusError) {
        var bus: OpaquePointer?
        var r = sd_bus_new(&bus)
        guard r >= 0, let bus else { throw BusError("cannot create a bus connection", code: r) }
        r = sd_bus_set_address(bus, address)
        if r >= 0, busClient { r = sd_bus_set_bus_client(bus, 1) }
        if r >= 0 { r = sd_bus_set_method_call_timeout(bus, timeout.microseconds) }
        if r >= 0 { r = sd_bus_start(bus) }
        guard r >= 0 else {
            sd_bus_unref(bus)
            throw BusError("cannot connect to \(address)", code: r)
        }
        handle = bus
        self.address = address
        isMessageBus = busClient
        // sd-bus bounds authentication (and Hello) by its own 90 s, not by the call timeout:
        // a peer that accepts and never answers must cost `timeout`, not a minute and a half.
        let ready = try process(until: .now + timeout) { sd_bus_is_ready(bus) != 0 }
        guard ready, sd_bus_is_ready(bus) > 0 else {
            throw BusError(message: "no answer from \(address) within \(timeout)")
        }
    }

    // Not sd_bus_flush_close_unref: flushing waits for authentication, up to 90 s with a
    // peer that never answers. Nothing is left to flush: every call waited for its reply.
    deinit { sd_bus_close_unref(handle) }

    /// Calls a method; `arguments` appends the arguments to the message.
    @discardableResult
    func call(
        _ destination: String, _ path: String, _ interface: String, _ member: String,
        arguments: (BusMessage) throws(BusError) -> Void = { _ throws(BusError) in }
    ) throws(BusError) -> BusMessage {
        var message: OpaquePointer?
        let r = sd_bus_message_new_method_call(handle, &message, destination, path, interface, member)
        guard r >= 0, let message else { throw BusError("cannot make a \(member) call", code: r) }
        let request = BusMessage(adopting: message)
        try arguments(request)
        var error = sd_bus_error()
        var reply: OpaquePointer?
        let status = sd_bus_call(handle, request.handle, 0, &error, &reply)
        guard status >= 0, let reply else { throw BusError("\(member) failed", error: &error, code: status) }
        return BusMessage(adopting: reply)
    }

    func stringProperty(_ destination: String, _ path: String, _ interface: String, _ member: String)
        throws(BusError) -> String
    {
        var error = sd_bus_error()
        var value: UnsafeMutablePointer<CChar>?
        let r = sd_bus_get_property_string(handle, destination, path, interface, member, &error, &value)
        guard r >= 0, let value else { throw BusError("cannot read \(member)", error: &error, code: r) }
        defer { free(value) }
        return String(cString: value)
    }

    func boolProperty(_ destination: String, _ path: String, _ interface: String, _ member: String)
        throws(BusError) -> Bool
    {
        try trivialProperty(destination, path, interface, member, type: BusType.boolean, as: Int32.self) != 0
    }

    func uint32Property(_ destination: String, _ path: String, _ interface: String, _ member: String)
        throws(BusError) -> UInt32
    {
        try trivialProperty(destination, path, interface, member, type: BusType.uint32, as: UInt32.self)
    }

    /// A property of a fixed-size D-Bus type, read into a `T` (sd_bus_get_property_trivial).
    private func trivialProperty<T: FixedWidthInteger>(
        _ destination: String, _ path: String, _ interface: String, _ member: String, type: CChar, as: T.Type
    ) throws(BusError) -> T {
        var error = sd_bus_error()
        var value: T = 0
        let r = sd_bus_get_property_trivial(handle, destination, path, interface, member, &error, type, &value)
        guard r >= 0 else { throw BusError("cannot read \(member)", error: &error, code: r) }
        return value
    }

    /// Asks the bus for the signals `rule` matches (a D-Bus match rule); each one that arrives
    /// while `processPending` dispatches raises `flag`. The match lasts as long as the
    /// connection.
    func addMatch(_ rule: String, raising flag: BusSignalFlag) throws(BusError) {
        let r = sd_bus_add_match(handle, nil, rule, BusSignalFlag.handler, Unmanaged.passUnretained(flag).toOpaque())
        if r < 0 { throw BusError("cannot watch \(rule)", code: r) }
    }

    /// The connection's socket: readable when messages wait (sd_bus_get_fd).
    var descriptor: Int32 { sd_bus_get_fd(handle) }

    /// Messages wait in sd-bus's queue, read off the socket while a call waited for its reply:
    /// the socket will not become readable for them, so they must be dispatched now.
    var hasQueuedMessages: Bool {
        var timeout: UInt64 = .max
        return sd_bus_get_timeout(handle, &timeout) > 0 && timeout == 0
    }

    /// Dispatches every message that has arrived, without waiting.
    func processPending() throws(BusError) {
        while true {
            let r = sd_bus_process(handle, nil)
            if r < 0 { throw BusError("lost the bus connection", code: r) }
            if r == 0 { return }
        }
    }

    /// Does `name` have an owner on this (message) bus? Never starts an activatable service.
    func nameHasOwner(_ name: String) throws(BusError) -> Bool {
        let reply = try call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner"
        ) { message throws(BusError) in try message.append(name) }
        return try reply.readBool()
    }

    /// The names the bus daemon can start on demand.
    func activatableNames() throws(BusError) -> [String] {
        try call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "ListActivatableNames")
            .readStrings()
    }

    /// Dispatches incoming messages until `done()` holds or the deadline passes; returns
    /// whether `done()` held.
    func process(until deadline: ContinuousClock.Instant, _ done: () -> Bool) throws(BusError) -> Bool {
        while !done() {
            let r = sd_bus_process(handle, nil)
            if r < 0 { throw BusError("lost the bus connection", code: r) }
            if r > 0 { continue }
            let left = deadline - .now
            if left <= .zero { return false }
            let w = sd_bus_wait(handle, left.microseconds)
            if w < 0 && w != -EINTR { throw BusError("lost the bus connection", code: w) }
        }
        return true
    }
}

/// Raised by the signals a `Bus.addMatch` asked for; the owner lowers it when it has looked.
final class BusSignalFlag {
    var raised = false

    /// sd-bus's message handler: raises the flag passed as user data, consumes nothing.
    static let handler: sd_bus_message_handler_t = { _, userdata, _ in
        if let userdata { Unmanaged<BusSignalFlag>.fromOpaque(userdata).takeUnretainedValue().raised = true }
        return 0
    }
}

@available(*, unavailable)
extension BusSignalFlag: Sendable {}

/// A message being built or read.
final class BusMessage {
    let handle: OpaquePointer

    init(adopting handle: OpaquePointer) { self.handle = handle }
    deinit { sd_bus_message_unref(handle) }

    func append(_ value: String) throws(BusError) {
        try check(value.withCString { sd_bus_message_append_basic(handle, BusType.string, $0) })
    }

    func append(_ value: UInt32) throws(BusError) {
        var value = value
        try check(sd_bus_message_append_basic(handle, BusType.uint32, &value))
    }

    /// Appends a container of `type` (`a`, `r`, `v`) holding `contents`, filled by `body`.
    func container(_ type: CChar, _ contents: String, _ body: () throws(BusError) -> Void) throws(BusError) {
        try check(sd_bus_message_open_container(handle, type, contents))
        try body()
        try check(sd_bus_message_close_container(handle))
    }

    /// Appends one `(sv)` entry of a property array.
    func property(_ name: String, _ signature: String, _ value: () throws(BusError) -> Void) throws(BusError) {
        try container(BusType.structure, "sv") { () throws(BusError) in
            try append(name)
            try container(BusType.variant, signature, value)
        }
    }

    func readString(_ type: CChar = BusType.string) throws(BusError) -> String {
        var value: UnsafePointer<CChar>?
        try check(sd_bus_message_read_basic(handle, type, &value))
        return value.map { String(cString: $0) } ?? ""
    }

    /// Reads an `as`.
    func readStrings() throws(BusError) -> [String] {
        try check(sd_bus_message_enter_container(handle, BusType.array, "s"))
        var strings: [String] = []
        while true {
            var value: UnsafePointer<CChar>?
            let r = sd_bus_message_read_basic(handle, BusType.string, &value)
            try check(r)
            guard r > 0, let value else { break }
            strings.append(String(cString: value))
        }
        try check(sd_bus_message_exit_container(handle))
        return strings
    }

    func readUInt32() throws(BusError) -> UInt32 {
        var value: UInt32 = 0
        try check(sd_bus_message_read_basic(handle, BusType.uint32, &value))
        return value
    }

    func readBool() throws(BusError) -> Bool {
        var value: Int32 = 0
        try check(sd_bus_message_read_basic(handle, BusType.boolean, &value))
        return value != 0
    }

    private func check(_ r: Int32) throws(BusError) {
        if r < 0 { throw BusError("malformed D-Bus message", code: r) }
    }
}

/// D-Bus type codes, as sd-bus takes them.
enum BusType {
    static let string = CChar(UInt8(ascii: "s"))
    static let objectPath = CChar(UInt8(ascii: "o"))
    static let uint32 = CChar(UInt8(ascii: "u"))
    static let boolean = CChar(UInt8(ascii: "b"))
    static let array = CChar(UInt8(ascii: "a"))
    static let structure = CChar(UInt8(ascii: "r"))
    static let variant = CChar(UInt8(ascii: "v"))
}

extension Duration {
    /// Whole microseconds, as sd-bus and sd-event count time (0 for negative durations).
    var microseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) * 1_000_000 + UInt64(attoseconds / 1_000_000_000_000)
    }
}

/// The D-Bus session bus, found as a desktop notification or a cron job must find it:
/// `DBUS_SESSION_BUS_ADDRESS`, else the socket of a systemd user session
/// (`$XDG_RUNTIME_DIR/bus`, then `/run/user/UID/bus`).
public enum SessionBus {
    public static func address(environment: [String: String]) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return address }
        var sockets: [String] = []
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { sockets.append(runtime + "/bus") }
        sockets.append("/run/user/\(getuid())/bus")
        return sockets.first(where: FileSystem.isSocket).map { "unix:path=\($0)" }
    }
}
