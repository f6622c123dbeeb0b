import Foundation
import Testing

/// bgxfer in a network namespace whose only way out is a veth the test takes away and gives
/// back (README, "Network, cost and power"): the kernel's routing table (netlink), a real
/// NetworkManager, a real UPower. Traffic stays in the namespaces and on loopback.
@Suite struct NetworkTests {
    static let mebibyte = 1 << 20

    static func waiting(_ code: String) -> ([String: Any]) -> Bool {
        { $0.state == "waiting" && $0.errorCode == code }
    }

    static func running(_ task: [String: Any]) -> Bool { task.state == "running" }

    static func progressed(beyond bytes: Int) -> ([String: Any]) -> Bool {
        { $0.state == "running" && ($0["bytesTransferred"] as? Int ?? 0) > bytes }
    }

    @Test(.timeLimit(.minutes(6)))
    func offlineForTwoMinutesTheTaskWaitsAsleepAndGoesOnWithinTwoSecondsOfTheNetwork() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.tearDown() }
        let lab = try NetworkLab()
        defer { lab.stop() }
        let size = 24 * Self.mebibyte
        let digest = try lab.serve("big.bin", size: size)
        let id = try sandbox.download(in: lab.client, [lab.url("big.bin"), "--limit-rate", "2M"])
        #expect(try sandbox.await(id, timeout: 30, Self.progressed(beyond: 4 * Self.mebibyte)) != nil)
        let attempts = try #require(try sandbox.task(id)["attempts"] as? Int)

        // The link goes, and with it the routes.
        try lab.ip("-n", lab.client, "link", "set", lab.clientLink, "down")
        let paused = try sandbox.await(id, timeout: 5, Self.waiting("no-network"))
        #expect(paused != nil, "\(sandbox.describe(id))")
        let worker = try #require(sandbox.workerPIDs().first)
        let before = Sandbox.wakeUps(of: worker)
        try await Task.sleep(for: .seconds(120))
        let wakeUps = Sandbox.wakeUps(of: worker) - before
        print("offline 120 s: the worker woke \(wakeUps) times")
        #expect(wakeUps <= 10, "the worker woke \(wakeUps) times in 120 s offline")
        var task = try sandbox.task(id)
        #expect(task.state == "waiting" && task.errorCode == "no-network", "\(task)")
        #expect(task["attempts"] as? Int == attempts, "attempts were spent offline: \(task)")
        #expect(try sandbox.bgxfer("list").stdout.contains("waiting (no network)"))
        let kept = task["bytesTransferred"] as? Int ?? 0
        #expect(kept > 4 * Self.mebibyte)

        // The link and the default route come back: it goes on, from its bytes.
        try lab.ip("-n", lab.client, "link", "set", lab.clientLink, "up")
        try lab.ip("-n", lab.client, "route", "add", "default", "via", lab.gateway)
        let resumed = try sandbox.await(id, timeout: 10, Self.running)
        #expect(resumed.map { $0 <= 2 } == true, "running again after \(resumed.map { "\($0)" } ?? "never") s")
        print("network back: running again after \(String(format: "%.2f", resumed ?? -1)) s")

        // Carrier only: the far end goes down, the route stays; no carrier, no way out.
        #expect(try sandbox.await(id, timeout: 10, Self.progressed(beyond: kept + Self.mebibyte)) != nil)
        try lab.ip("-n", lab.server, "link", "set", lab.serverLink, "down")
        #expect(try sandbox.await(id, timeout: 5, Self.waiting("no-network")) != nil)
        task = try sandbox.task(id)
        #expect((task["error"] as? [String: Any])?["message"] as? String == "no network (netlink: the default route through \(lab.clientLink) has no interface that is up with carrier)")
        try lab.ip("-n", lab.server, "link", "set", lab.serverLink, "up")
        #expect(try sandbox.await(id, timeout: 5, Self.running) != nil)

        let wait = try sandbox.bgxfer(in: lab.client, ["wait", id], timeout: 120)
        #expect(wait.status == 0, "\(wait.stderr)")
        #expect(try TestFiles.sha256(sandbox.file("big.bin")) == digest)
        let requests = lab.requests("big.bin")
        #expect(requests.count >= 3, "\(requests)")
        for request in requests.dropFirst() {
            #expect(request.status == 206 && request.range != nil && request.ifRange != nil, "\(request)")
        }
    }

    @Test func aNameThatDoesNotResolveFailsAsDNSAfterItsRetries() throws {
        try withSandbox { sandbox in
            let lab = try NetworkLab()
            defer { lab.stop() }
            // The lab's resolv.conf names a server address where nothing answers DNS.
            let id = try sandbox.download(in: lab.client, ["http://nothing-here.invalid/a.bin", "--retries", "2"])
            #expect(try sandbox.bgxfer(in: lab.client, ["wait", id], timeout: 120).status == 1)
            let task = try sandbox.task(id)
            #expect(task.state == "failed" && task.errorCode == "dns" && task["attempts"] as? Int == 2, "\(task)")
            #expect(((task["error"] as? [String: Any])?["message"] as? String)?.contains("nothing-here.invalid") == true)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func networkManagersWordHoldsTasksAndMeteredHoldsOnlyThoseThatWait() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.tearDown() }
        let bus = try SystemBus(in: sandbox.root)
        defer { bus.stop() }
        let lab = try NetworkLab(networkManager: bus)
        defer { lab.stop() }
        let size = 10 * Self.mebibyte
        let waitDigest = try lab.serve("wait.bin", size: size)
        let allowDigest = try lab.serve("allow.bin", size: size)
        let cautious = try sandbox.download(
            in: lab.client, [lab.url("wait.bin"), "--limit-rate", "1M", "--metered", "wait"], environment: bus.environment)
        let bold = try sandbox.download(in: lab.client, [lab.url("allow.bin"), "--limit-rate", "1M"], environment: bus.environment)
        for id in [cautious, bold] { #expect(try sandbox.await(id, timeout: 20, Self.progressed(beyond: Self.mebibyte)) != nil) }

        // Metered: only the task that asked to wait stops, keeping its bytes.
        try lab.nmcli(bus, "connection", "modify", "lab", "connection.metered", "yes")
        #expect(try sandbox.await(cautious, timeout: 5, Self.waiting("metered")) != nil, "\(sandbox.describe(cautious))")
        let held = try sandbox.task(cautious)
        #expect((held["durableBytes"] as? Int ?? 0) >= Self.mebibyte)
        let boldBytes = try sandbox.task(bold)["bytesTransferred"] as? Int ?? 0
        #expect(try sandbox.await(bold, timeout: 10, Self.progressed(beyond: boldBytes + Self.mebibyte)) != nil)
        #expect(try sandbox.task(cautious).state == "waiting")
        #expect(try sandbox.bgxfer("list").stdout.contains("waiting (metered)"))
        try lab.nmcli(bus, "connection", "modify", "lab", "connection.metered", "no")
        #expect(try sandbox.await(cautious, timeout: 5, Self.running) != nil)

        // The connection goes down: both wait for the network, by NetworkManager's word.
        try lab.nmcli(bus, "connection", "down", "lab")
        for id in [cautious, bold] {
            #expect(try sandbox.await(id, timeout: 5, Self.waiting("no-network")) != nil, "\(sandbox.describe(id))")
            let message = (try sandbox.task(id)["error"] as? [String: Any])?["message"] as? String
            #expect(message?.hasPrefix("no network (NetworkManager: ") == true, "\(message ?? "-")")
        }
        // A way out NetworkManager does not manage (a second veth it leaves alone, both ends in
        // the client): the kernel's word holds, so the tasks try (and cannot reach the server
        // through it).
        let (dummy, peer) = ("bgx\(lab.id)d", "bgx\(lab.id)e")
        try lab.ip("-n", lab.client, "link", "add", dummy, "type", "veth", "peer", "name", peer)
        try lab.ip("-n", lab.client, "link", "set", peer, "up")
        try lab.ip("-n", lab.client, "link", "set", dummy, "up")
        try lab.ip("-n", lab.client, "route", "add", "default", "dev", dummy)
        #expect(try sandbox.await(bold, timeout: 5, Self.running) != nil, "\(sandbox.describe(bold))")
        try lab.ip("-n", lab.client, "link", "del", dummy)
        #expect(try sandbox.await(bold, timeout: 5, Self.waiting("no-network")) != nil, "\(sandbox.describe(bold))")

        try lab.nmcli(bus, "connection", "up", "lab")
        for id in [cautious, bold] { #expect(try sandbox.await(id, timeout: 10, Self.running) != nil) }

        let doctor = try sandbox.bgxfer(in: lab.client, ["doctor"], environment: bus.environment)
        #expect(doctor.stdout.contains("online (NetworkManager: connected)"), "\(doctor.stdout)")

        let wait = try sandbox.bgxfer(in: lab.client, ["wait", cautious, bold], environment: bus.environment, timeout: 120)
        #expect(wait.status == 0, "\(wait.stderr)")
        #expect(try TestFiles.sha256(sandbox.file("wait.bin")) == waitDigest)
        #expect(try TestFiles.sha256(sandbox.file("allow.bin")) == allowDigest)
        #expect(lab.requests("wait.bin").dropFirst().allSatisfy { $0.status == 206 && $0.ifRange != nil })
    }

    @Test(.timeLimit(.minutes(3)))
    func unpluggedABatteryWaitTaskPausesAndGoesOnWhenPluggedIn() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.tearDown() }
        let bus = try SystemBus(in: sandbox.root)
        defer { bus.stop() }
        let power = try PowerSupply(bus: bus, in: sandbox.root)
        defer { power.stop() }
        let nginx = try Nginx(in: sandbox.root)
        let size = 8 * Self.mebibyte
        let cautiousDigest = try nginx.serve("cautious.bin", size: size)
        let boldDigest = try nginx.serve("bold.bin", size: size)
        let env = bus.environment
        let cautious = try sandbox.bgxfer(["download", nginx.url("cautious.bin"), "--limit-rate", "1M", "--battery", "wait"], environment: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let bold = try sandbox.bgxfer(["download", nginx.url("bold.bin"), "--limit-rate", "1M"], environment: env).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        for id in [cautious, bold] { #expect(try sandbox.await(id, timeout: 20, Self.progressed(beyond: Self.mebibyte)) != nil) }

        try power.unplug()
        #expect(try sandbox.await(cautious, timeout: 5, Self.waiting("on-battery")) != nil, "\(sandbox.describe(cautious))")
        let boldBytes = try sandbox.task(bold)["bytesTransferred"] as? Int ?? 0
        #expect(try sandbox.await(bold, timeout: 10, Self.progressed(beyond: boldBytes + Self.mebibyte)) != nil)
        // A discretionary task made while on battery waits before its first attempt.
        let later = try sandbox.bgxfer(["download", nginx.url("bold.bin"), "-o", sandbox.file("later.bin"), "--discretionary"], environment: env)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try sandbox.await(later, timeout: 5, Self.waiting("on-battery")) != nil)
        #expect(try sandbox.task(later)["attempts"] as? Int == 0)
        #expect(try sandbox.bgxfer("list").stdout.contains("waiting (on battery)"))

        try power.plugIn()
        #expect(try sandbox.await(cautious, timeout: 5, Self.running) != nil)
        let wait = try sandbox.bgxfer(["wait", cautious, bold, later], environment: env, timeout: 120)
        #expect(wait.status == 0, "\(wait.stderr)")
        #expect(try TestFiles.sha256(sandbox.file("cautious.bin")) == cautiousDigest)
        #expect(try TestFiles.sha256(sandbox.file("bold.bin")) == boldDigest)
        #expect(try TestFiles.sha256(sandbox.file("later.bin")) == boldDigest)
        #expect(try nginx.requests("cautious.bin").dropFirst().allSatisfy { $0.status == 206 && $0.ifRange != nil })
    }
}
